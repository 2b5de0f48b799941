"""What goes into a bundle, read through the store and the bank, and what is refused.

Called by the export. Owns the rules for which attempts may become evidence: the
attempt exists and its chain verifies; it is not in progress or voided; it is
signed by an assessor (or the caller allows unsigned attempts); several attempts
are of one learner and one module version, which must still be in the bank
folder byte for byte; a bonus attempt comes with the attempts it builds on.
Reads only through :class:`~mqexam.store.db.Store` methods and
:func:`~mqexam.store.prior.prior_records`.

"Module version" is the one an attempt is scored with: the last ``regraded``
event's, else the one it started with. A regraded attempt is exported with the
version it was regraded to (and says which it started with); one regraded after
its last signature in a way that changed a score is refused until an assessor
signs it again, since the decision in force was made on other scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mqexam.bank.loader import content_hash, module_files
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.exam.attempt import AttemptState, fold
from mqexam.exam.events import Event, verify_chain
from mqexam.exam.report import label, scoring_module
from mqexam.i18n import _
from mqexam.store.db import Store
from mqexam.store.prior import prior_records

_UNSAFE_NAME = set('\\\n\r\t"\0')
_ATTEMPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class AttemptSource:
    """One attempt as stored: its events (seq order) and their fold."""

    attempt_id: str
    events: list[Event]
    state: AttemptState

    @property
    def signed(self) -> bool:
        return self.state.lifecycle == "signed"


@dataclass(frozen=True)
class Sources:
    """Everything a bundle is made of, read once."""

    attempts: list[AttemptSource]
    """Oldest first (by start time, then id), whatever order they were asked for in."""
    module: Module
    module_files: dict[str, bytes]
    """The module's files by path relative to its folder, in content-hash order."""
    learner: dict[str, Any] | None
    priors: list[dict[str, Any]]

    @property
    def learner_id(self) -> str:
        return self.attempts[0].state.learner_id

    @property
    def unsigned(self) -> list[str]:
        return [a.attempt_id for a in self.attempts if not a.signed]


def read_attempt(store: Store, attempt_id: str) -> AttemptSource:
    events = store.events(attempt_id)
    if not events:
        raise MqexamError(_("no attempt '{id}'").format(id=attempt_id))
    if not _ATTEMPT_ID.match(attempt_id):
        raise MqexamError(_("attempt id {id!r} cannot name a file in a bundle").format(
            id=attempt_id))
    problems = verify_chain(attempt_id, events)
    if problems:
        raise MqexamError(_("attempt {id} does not verify ({problem}); run 'mqexam results "
                            "verify'").format(id=attempt_id, problem=problems[0].render()))
    ordered = sorted(events, key=lambda e: e.seq)
    return AttemptSource(attempt_id, ordered, fold(ordered))


def check_exportable(source: AttemptSource, allow_unsigned: bool) -> None:
    state = source.state
    attempt_id = source.attempt_id
    if state.lifecycle == "in_progress":
        raise MqexamError(_("attempt {id} is still in progress; it can be exported once it is "
                            "submitted or has expired and an assessor has signed it").format(
                                id=attempt_id))
    if state.lifecycle == "voided":
        reason = (state.voided or {}).get("reason") or "-"
        raise MqexamError(_("attempt {id} was voided by an assessor ({reason}); a voided "
                            "attempt is not evidence").format(id=attempt_id, reason=reason))
    if signed_before_regrade(source.events):
        raise MqexamError(_("attempt {id} was regraded after it was signed and its scores "
                            "changed: the decision in force was made on other scores; have "
                            "an assessor sign it again").format(id=attempt_id))
    if not source.signed and not allow_unsigned:
        raise MqexamError(_("attempt {id} is not signed by an assessor ({status}); have it "
                            "signed in the assessor app, or export it with --unsigned (the "
                            "report then says prominently that it is unsigned)").format(
                                id=attempt_id, status=label(state.lifecycle)))


def signed_before_regrade(events: Sequence[Event]) -> bool:
    """Whether a ``regraded`` event that changed some item's points came after the last
    ``signed`` event (the derived status ``signed_before_regrade`` of docs/events.md)."""
    signed = [e.seq for e in events if e.kind == "signed"]
    return bool(signed) and any(e.kind == "regraded" and e.seq > signed[-1]
                                and e.payload.get("changes") for e in events)


def check_together(attempts: Sequence[AttemptSource]) -> None:
    """Several attempts make one credential: one learner, one module, one bank version."""
    first = attempts[0]
    for other in attempts[1:]:
        a, b = first.state, other.state
        ids = {"a": first.attempt_id, "b": other.attempt_id}
        if a.learner_id != b.learner_id:
            raise MqexamError(_("attempts {a} and {b} are of different learners; one bundle "
                                "holds one learner's attempts").format(**ids))
        if a.start["module"] != b.start["module"]:
            raise MqexamError(_("attempts {a} and {b} are of different modules ({m1}, {m2}); one "
                                "bundle holds one module").format(
                                    m1=a.start["module"], m2=b.start["module"], **ids))
        if a.scored_with[1] != b.scored_with[1]:
            raise MqexamError(_("attempts {a} and {b} are scored with different versions of "
                                "{module} ({v1}, {v2}); export them as separate bundles, or "
                                "regrade them to one version").format(
                                    module=a.start["module"], v1=a.scored_with[0],
                                    v2=b.scored_with[0], **ids))


def check_bases(attempts: Sequence[AttemptSource]) -> None:
    """A bonus attempt stacks onto the attempts it builds on: they go into the bundle too
    (prior-learning records it builds on always do)."""
    named = {a.attempt_id for a in attempts}
    for source in attempts:
        missing = [str(ref) for ref in source.state.start.get("builds_on") or []
                   if not str(ref).startswith("prior:") and str(ref) not in named]
        if source.state.start.get("kind") == "bonus" and missing:
            raise MqexamError(_("bonus attempt {id} builds on {bases}; name them too, so that "
                                "one credential shows what it stacks onto").format(
                                    id=source.attempt_id, bases=", ".join(missing)))


def read_module_files(module: Module) -> dict[str, bytes]:
    """The bytes of the module's files, checked against its content hash."""
    folder = module.folder
    paths = module_files(folder)
    try:
        blobs = {path: path.read_bytes() for path in paths}
    except OSError as error:
        raise MqexamError(_("cannot read the bank files of {module}: {reason}").format(
            module=module.id, reason=error.strerror or error)) from None
    if content_hash(folder, paths, blobs) != module.content_hash:
        raise MqexamError(_("the bank files of {module} changed while exporting; try again")
                          .format(module=module.id))
    files: dict[str, bytes] = {}
    for path, raw in blobs.items():
        name = path.relative_to(folder).as_posix()
        if any(ch in _UNSAFE_NAME for ch in name) or not name.isprintable():
            raise MqexamError(_("the bank file name {name!r} cannot go into a bundle; rename "
                                "it").format(name=name))
        files[name] = raw
    return files


def gather(store: Store, modules: Iterable[Module], attempt_ids: Sequence[str],
           allow_unsigned: bool, banks: Path | None = None) -> Sources:
    """Read and check the attempts to export; raises :class:`MqexamError` naming the refusal."""
    wanted = list(dict.fromkeys(a.strip() for a in attempt_ids if a.strip()))
    if not wanted:
        raise MqexamError(_("name at least one attempt"))
    with store.snapshot():
        attempts = [read_attempt(store, attempt_id) for attempt_id in wanted]
        for source in attempts:
            check_exportable(source, allow_unsigned)
        check_together(attempts)
        check_bases(attempts)
        learner_id = attempts[0].state.learner_id
        learner = store.learner(learner_id)
        state = attempts[0].state
        priors = prior_records(store, learner_id, str(state.start["module"]))
    module = scoring_module(modules, state)
    if module is None:
        version, content_hash = state.scored_with
        raise MqexamError(_("attempt {id} is scored with {module} {version} ({hash}), which is "
                            "not in the bank folder {banks}; put that bank version back to "
                            "export it").format(id=state.attempt_id, module=state.start["module"],
                                                version=version, hash=content_hash[:19],
                                                banks=banks or "-"))
    attempts.sort(key=lambda a: (a.state.started_at, a.attempt_id))
    return Sources(attempts, module, read_module_files(module), learner, priors)
