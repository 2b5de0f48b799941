"""Item analysis of the attempts in a results database (the reading half).

Called by ``mqexam results analysis``, the assessor app and the benchmark. Owns
which attempts are read: every attempt *started* with the given module version
(its content hash), optionally in one country, in one read; the measures are
:mod:`mqexam.exam.analysis`'s. An attempt whose log does not fold (its
``started`` event lost) is left out and named in ``skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.exam.analysis import Analysis, analyse, samples
from mqexam.exam.attempt import fold
from mqexam.store.db import Store
from mqexam.store.status import attempt_events


@dataclass(frozen=True)
class ItemAnalysis:
    analysis: Analysis
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(attempt id, reason) of attempts left out because their log does not fold."""


def item_analysis(store: Store, module: Module, context: str | None = None) -> ItemAnalysis:
    """Statistics per item of ``module`` (this exact version) over the stored attempts."""
    logs = attempt_events(store, module=module.id, content_hash=module.content_hash,
                          context=context)
    folded = []
    skipped: list[tuple[str, str]] = []
    for attempt_id, events in logs.items():
        try:
            folded.append((fold(events), events))
        except MqexamError as error:
            skipped.append((attempt_id, error.message))
    report = analyse(samples(module, folded), module.id, module.version, module.content_hash,
                     context, order=[item.id for item in module.items])
    return ItemAnalysis(report, skipped)
