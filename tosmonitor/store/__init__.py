"""Storage: models, sessions and repository functions. Only this package opens sessions."""

from tosmonitor.store.db import StoreError, ensure_current, make_engine, transaction, upgrade

__all__ = ["StoreError", "ensure_current", "make_engine", "transaction", "upgrade"]
