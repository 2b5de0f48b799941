"""Question banks: reading, validating, resolving and comparing TOML modules.

Called by every later layer (exam forms, the apps, evidence). Owns the bank
format (:mod:`.model`), reading files with their line numbers (:mod:`.source`),
loading and checking modules (:mod:`.loader`, :mod:`.checks`), the cache of
validated modules (:mod:`.cache`), and how an item reads in one context and
language (:mod:`.resolve`). Imports neither Textual nor SQLite; this file imports
nothing, so that ``import mqexam.bank.model`` stays as light as it can be.
"""
