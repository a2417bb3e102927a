"""The web app: ``dunbar serve`` serves pages for people and ``/api/v1`` for programs, over one database."""

from dunbar.web.app import create_app

__all__ = ["create_app"]
