"""The ``dunbar`` console script."""

from __future__ import annotations


def main() -> None:
    from dunbar.cli.app import app

    app(prog_name="dunbar")


if __name__ == "__main__":
    main()
