"""An attempt's state as a fold of its events (pure).

Called by the sitting (learner side), the assessor app, ``results show`` and the
evidence export. Owns what each event kind means for the state: answers and
flags (the last event per item wins), the item the learner was on, the deadline
(start deadline plus every granted extension), the lifecycle (in progress,
submitted, expired, signed, voided), practical grades and assessor decisions.
Nothing is ever updated in place: the state is recomputed from the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mqexam.errors import MqexamError
from mqexam.exam.events import Event
from mqexam.i18n import _


def parse_time(value: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """The stored form of a moment: ISO 8601 in UTC with microseconds."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass
class AttemptState:
    attempt_id: str
    start: dict[str, Any]
    started_at: datetime
    deadline: datetime
    answers: dict[str, Any] = field(default_factory=dict)
    answered_at: dict[str, datetime] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    current: str | None = None
    lifecycle: str = "in_progress"
    closed_at: datetime | None = None
    grades: dict[str, dict[str, Any]] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    regrades: list[dict[str, Any]] = field(default_factory=list)
    voided: dict[str, Any] | None = None
    last_hash: str = ""
    seq: int = 0

    @property
    def learner_id(self) -> str:
        return str(self.start.get("learner", ""))

    @property
    def context(self) -> str:
        return str(self.start["context"])

    @property
    def locale(self) -> str:
        return str(self.start["locale"])

    @property
    def open(self) -> bool:
        return self.lifecycle == "in_progress"

    @property
    def scored_with(self) -> tuple[str, str]:
        """The ``(version, content_hash)`` the attempt is scored with: the last ``regraded``
        event's, else the one it started with (docs/events.md)."""
        version, content_hash = self.start.get("version", ""), self.start.get("content_hash", "")
        for regrade in self.regrades:
            version = regrade.get("to_version") or version
            content_hash = regrade.get("to_hash") or content_hash
        return str(version), str(content_hash)

    def time_left(self, now: datetime) -> timedelta:
        return max(self.deadline - now, timedelta(0))

    def is_due(self, now: datetime) -> bool:
        return self.open and now >= self.deadline


def fold(events: Iterable[Event]) -> AttemptState:
    """Replay an attempt's events (in ``seq`` order) into its state."""
    ordered = sorted(events, key=lambda e: e.seq)
    if not ordered or ordered[0].kind != "started" or ordered[0].seq != 1:
        attempt_id = ordered[0].attempt_id if ordered else "?"
        raise MqexamError(_("attempt {id} has lost its 'started' event; run 'mqexam results "
                            "verify'").format(id=attempt_id))
    first = ordered[0]
    start = dict(first.payload)
    state = AttemptState(
        attempt_id=first.attempt_id,
        start=start,
        started_at=parse_time(first.at),
        deadline=parse_time(start["deadline"]),
    )
    for event in ordered:
        apply(state, event)
    return state


def apply(state: AttemptState, event: Event) -> None:
    """Fold one more event into ``state`` (the sitting calls this after each commit)."""
    payload = event.payload
    kind = event.kind
    at = parse_time(event.at)
    if kind == "shown":
        state.current = payload["item"]
    elif kind == "answered":
        item = payload["item"]
        if payload.get("answer") is None:
            state.answers.pop(item, None)
        else:
            state.answers[item] = payload["answer"]
        state.answered_at[item] = at
        state.current = item
    elif kind == "flagged":
        if payload.get("flagged", True):
            state.flags.add(payload["item"])
        else:
            state.flags.discard(payload["item"])
    elif kind in ("submitted", "expired"):
        if state.lifecycle == "in_progress":
            state.lifecycle = kind
            state.closed_at = at
    elif kind == "time_extended":
        state.extensions.append(dict(payload))
        extra = timedelta(minutes=float(payload["minutes"]))
        if state.lifecycle == "expired" and payload.get("reopen"):
            # A reopened attempt gets its minutes from the moment it reopens: counted
            # from the old deadline they could already have run out.
            state.deadline = max(state.deadline, at) + extra
            state.lifecycle = "in_progress"
            state.closed_at = None
        else:
            state.deadline += extra
    elif kind == "graded":
        state.grades[payload["item"]] = dict(payload)
    elif kind == "reviewed":
        state.reviews.append({**payload, "at": event.at})
    elif kind == "signed":
        state.signatures.append({**payload, "at": event.at})
        if state.lifecycle != "voided":
            state.lifecycle = "signed"
    elif kind == "voided":
        state.voided = {**payload, "at": event.at}
        state.lifecycle = "voided"
    elif kind == "regraded":
        state.regrades.append({**payload, "at": event.at})
    state.last_hash = event.hash
    state.seq = event.seq
