"""dunbar: a local-first relationship manager for professional networking."""

__version__ = "0.1.0"
