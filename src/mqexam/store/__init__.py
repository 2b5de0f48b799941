"""The results database: the only code in mqexam that writes SQL."""

from mqexam.store.db import Store, open_store

__all__ = ["Store", "open_store"]
