"""The project store: the only place with SQL (SQLAlchemy 2 + Alembic; SQLite by default, PostgreSQL by URL).

Import it explicitly (``from qualcoop.store import Store``); ``import qualcoop`` does not load SQLAlchemy.
"""

from .engine import head_revision, store_url
from .store import ERROR_TYPES, RunError, Store, StoredCoding, StoredSet

__all__ = ["ERROR_TYPES", "RunError", "Store", "StoredCoding", "StoredSet", "head_revision", "store_url"]
