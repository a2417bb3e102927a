"""Which database objects the models describe (the rest are created by migrations for one backend only)."""

from __future__ import annotations


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    if type_ == "table" and name is not None and name.startswith("search_fts"):
        return False  # the FTS5 index and its shadow tables (SQLite)
    return not (type_ == "index" and name == "ix_search_doc_tsv")  # the GIN index (PostgreSQL)
