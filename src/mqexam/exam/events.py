"""Attempt events and their hash chain (pure: no SQL, no clock of its own).

Called by ``store/`` (which persists events), by the attempt fold, and by
evidence verification. Owns the event kinds, the canonical bytes an event is
hashed over (RFC 8785 JSON, so a verifier in another language gets the same
hash), and chain verification that names each altered, missing or reordered
event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import rfc8785

GENESIS = "0" * 64
"""The ``prev`` hash of an attempt's first event."""

KINDS = (
    "started",      # learner, module, version, content_hash, context, locale, seed, deadline, form
    "shown",        # item
    "answered",     # item, answer
    "flagged",      # item, flagged
    "submitted",    # -
    "expired",      # -
    "time_extended",  # minutes, reason, assessor
    "graded",       # item, criteria {id: bool}, comment, assessor
    "reviewed",     # outcome decisions, reason, assessor
    "signed",       # decision, reason, supervision, assessor
    "voided",       # reason, assessor
    "regraded",     # from_version, to_version, changes, assessor
)


@dataclass(frozen=True)
class Event:
    """One entry of an attempt's log. ``seq`` counts from 1 within the attempt."""

    attempt_id: str
    seq: int
    kind: str
    at: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    prev: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt_id,
            "seq": self.seq,
            "kind": self.kind,
            "at": self.at,
            "payload": dict(self.payload),
            "prev": self.prev,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


def event_hash(event: Event) -> str:
    """sha256 (hex) of the event's canonical JSON body, which includes the previous hash."""
    return hashlib.sha256(rfc8785.dumps(event.body())).hexdigest()


def chain(attempt_id: str, seq: int, kind: str, at: str, payload: Mapping[str, Any],
          prev: str) -> Event:
    """A new event linked to ``prev``, with its hash filled in."""
    draft = Event(attempt_id, seq, kind, at, payload, prev)
    return Event(attempt_id, seq, kind, at, payload, prev, event_hash(draft))


@dataclass(frozen=True)
class ChainProblem:
    attempt_id: str
    seq: int | None
    problem: str  # "altered", "missing", "reordered", "unlinked", "unknown-kind"

    def render(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "chain"
        return f"{self.attempt_id}: {where}: {self.problem}"


def verify_chain(attempt_id: str, events: Sequence[Event]) -> list[ChainProblem]:
    """Every break in an attempt's chain, in the order events are given (stored order).

    An altered event no longer matches its own hash; a deleted event leaves a gap
    in ``seq`` and a ``prev`` that matches nothing; reordered events appear out of
    ``seq`` order or link to the wrong predecessor.
    """
    problems: list[ChainProblem] = []
    if not events:
        return [ChainProblem(attempt_id, None, "empty")]
    expected_prev = GENESIS
    expected_seq = 1
    seqs = [e.seq for e in events]
    if seqs != sorted(seqs):
        for index, event in enumerate(events[1:], start=1):
            if event.seq < events[index - 1].seq:
                problems.append(ChainProblem(attempt_id, event.seq, "reordered"))
    for event in sorted(events, key=lambda e: e.seq):
        altered = event.attempt_id != attempt_id or event_hash(event) != event.hash
        if altered:
            problems.append(ChainProblem(attempt_id, event.seq, "altered"))
        if event.kind not in KINDS:
            problems.append(ChainProblem(attempt_id, event.seq, "unknown-kind"))
        if event.seq > expected_seq:
            for missing in range(expected_seq, event.seq):
                problems.append(ChainProblem(attempt_id, missing, "missing"))
        elif event.seq < expected_seq:
            problems.append(ChainProblem(attempt_id, event.seq, "duplicate"))
        elif event.prev != expected_prev and not altered:
            # An altered event is named once; its link says nothing more.
            problems.append(ChainProblem(attempt_id, event.seq, "unlinked"))
        expected_prev = event.hash
        expected_seq = max(expected_seq, event.seq + 1)
    first = min(events, key=lambda e: e.seq)
    if first.seq == 1 and first.kind != "started":
        problems.append(ChainProblem(attempt_id, 1, "not-started"))
    return problems
