from dunbar.cli.main import main

main()
