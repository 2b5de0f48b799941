"""Forms, scoring and gap planning: pure functions over banks and event folds (no I/O)."""
