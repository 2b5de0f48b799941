"""Item analysis of the attempts in a results database (the reading half).

Called by ``mqexam results analysis``, the assessor app and the benchmark. Owns
which attempts are read: every attempt *started* with the given module version
(its content hash), optionally in one country, in one query that lets SQLite
take the payloads apart (:func:`mqexam.store.status.analysis_rows`); the
measures are :mod:`mqexam.exam.analysis`'s.
"""

from __future__ import annotations

from mqexam.bank.loader import gc_paused
from mqexam.bank.model import Module
from mqexam.exam.analysis import Analysis, analyse, samples_from_rows
from mqexam.store.db import Store
from mqexam.store.status import analysis_rows


def item_analysis(store: Store, module: Module, context: str | None = None) -> Analysis:
    """Statistics per item of ``module`` (this exact version) over the stored attempts."""
    # Hundreds of thousands of small objects, none of them in a cycle: pausing the
    # cyclic collector halves the time (see mqexam.bank.loader.gc_paused).
    with gc_paused():
        rows = analysis_rows(store, module.id, module.content_hash, context)
        return analyse(samples_from_rows(module, rows), module.id, module.version,
                       module.content_hash, context, order=[item.id for item in module.items])
