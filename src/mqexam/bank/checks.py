"""Cross-checks on a loaded module: everything a schema alone cannot see.

Called by the loader after the schema has passed. Owns the rules that tie values
together: outcomes referenced and covered, answers naming options, order keys as
permutations, a key for every context, text in every declared locale,
placeholders that resolve, the blueprint being drawable. Errors make a module
unusable; warnings (no rationale, no reference) fail only ``bank check --strict``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from mqexam.bank import resolve
from mqexam.bank.model import (
    PLACEHOLDERS,
    AnyItem,
    MatchItem,
    Module,
    MultipleItem,
    OrderItem,
    PracticalItem,
    SingleItem,
    Source,
    TextItem,
)
from mqexam.bank.source import KeyPath, Problem
from mqexam.i18n import _

Locate = Callable[[str, KeyPath], Source]


def parse_number(value: str) -> Decimal | None:
    """A number as a person types it: ``1,5``, ``1.5``, `` 30 `` (no thousands separators)."""
    try:
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None


def check_module(module: Module, locate: Locate) -> list[Problem]:
    checker = _Checker(module, locate)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, module: Module, locate: Locate) -> None:
        self.module = module
        self.meta = module.meta
        self.locate = locate
        self.problems: list[Problem] = []
        self.languages = list(self.meta.languages)
        self.contexts = module.context_codes

    def add(self, subject: str, path: KeyPath, message: str, severity: str = "error") -> None:
        where = self.locate(subject if subject != self.meta.id else "", path)
        self.problems.append(Problem(where.path, where.line, subject, message, severity))

    def run(self) -> None:
        self.check_meta()
        for item in self.module.items:
            self.check_item(item)
        self.check_coverage()

    # -- texts -------------------------------------------------------------

    def check_texts(
        self, subject: str, path: KeyPath, texts: Mapping[str, str], what: str,
        severity: str = "error", required: bool = True, complete: bool = True,
    ) -> None:
        for tag in texts:
            if tag not in self.languages:
                self.add(subject, (*path, tag), _("{what} in undeclared locale '{tag}' "
                         "(module languages: {languages})").format(
                             what=what, tag=tag, languages=", ".join(self.languages)))
        if not texts and not required:
            return
        missing = [tag for tag in self.languages if tag not in texts]
        if missing and complete:
            self.add(subject, path, _("{what} missing for locale(s): {tags}").format(
                what=what, tags=", ".join(missing)), severity)
        for tag, value in texts.items():
            try:
                names = resolve.placeholders(value)
            except ValueError:
                self.add(subject, (*path, tag), _("{what} ({tag}) has an unbalanced brace; "
                         "write {{{{ and }}}} for literal braces").format(what=what, tag=tag))
                continue
            for name in names:
                if name not in PLACEHOLDERS:
                    self.add(subject, (*path, tag), _("{what} ({tag}) uses placeholder "
                             "'{{{name}}}', which does not resolve (known: {known})").format(
                                 what=what, tag=tag, name=name,
                                 known=", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))))

    # -- module ------------------------------------------------------------

    def check_meta(self) -> None:
        meta, sid = self.meta, self.meta.id
        for tag, count in Counter(self.languages).items():
            if count > 1:
                self.add(sid, ("languages",), _("language '{tag}' declared twice").format(tag=tag))
        for tag, chain in meta.fallback.items():
            for target in chain:
                if target not in self.languages:
                    self.add(sid, ("fallback", tag), _("fallback for '{tag}' names '{target}', "
                             "which is not a module language").format(tag=tag, target=target))
        for name in ("title", "assessment_type", "participation", "quality_assurance"):
            self.check_texts(sid, (name,), getattr(meta, name), name)
        for name in ("description", "prerequisites", "stackability"):
            self.check_texts(sid, (name,), getattr(meta, name), name, required=False)
        for code, count in Counter(self.contexts).items():
            if count > 1:
                self.add(sid, ("context",), _("context {code} declared twice").format(code=code))
        outcome_ids = [o.id for o in meta.outcomes]
        for index, outcome in enumerate(meta.outcomes):
            if outcome_ids.count(outcome.id) > 1 and outcome_ids.index(outcome.id) != index:
                self.add(sid, ("outcome", index), _("duplicate outcome id '{id}'").format(
                    id=outcome.id))
            self.check_texts(sid, ("outcome", index, "text"), outcome.text,
                             _("outcome '{id}' text").format(id=outcome.id))
        for outcome_id in meta.pass_rules.outcomes:
            if outcome_id not in outcome_ids:
                self.add(sid, ("pass", "outcomes", outcome_id), _("pass rule names outcome "
                         "'{id}', which is not defined").format(id=outcome_id))

    def check_coverage(self) -> None:
        meta, sid = self.meta, self.meta.id
        counts: Counter[str] = Counter()
        for item in self.module.items:
            counts.update(set(item.outcomes))
        for index, outcome in enumerate(meta.outcomes):
            if counts[outcome.id] == 0:
                self.add(sid, ("outcome", index), _("outcome '{id}' has no item").format(
                    id=outcome.id))
            elif counts[outcome.id] < meta.blueprint.per_outcome:
                self.add(sid, ("outcome", index), _("outcome '{id}' has {n} item(s); the "
                         "blueprint draws {k} per outcome").format(
                             id=outcome.id, n=counts[outcome.id], k=meta.blueprint.per_outcome))
        if meta.blueprint.items > len(self.module.items):
            self.add(sid, ("blueprint", "items"), _("the blueprint draws {k} items but the "
                     "module has {n}").format(k=meta.blueprint.items, n=len(self.module.items)))

    # -- items -------------------------------------------------------------

    def check_item(self, item: AnyItem) -> None:
        iid = item.id
        known = {o.id for o in self.meta.outcomes}
        for index, outcome in enumerate(item.outcomes):
            if outcome not in known:
                self.add(iid, ("outcomes", index), _("outcome '{id}' is not defined in "
                         "module.toml").format(id=outcome))
        for code in item.context:
            if code not in self.contexts:
                self.add(iid, ("context", code), _("override for context {code}, which the "
                         "module does not declare (contexts: {codes})").format(
                             code=code, codes=", ".join(self.contexts)))
        self.check_texts(iid, ("text",), item.text, "text")
        self.check_texts(iid, ("why",), item.why, _("rationale (why)"), severity="warning")
        self.check_texts(iid, ("notes",), item.notes, _("translation notes"), required=False,
                         complete=False)
        if not item.references:
            self.add(iid, ("references",), _("no references: name the source"), "warning")
        for code, over in item.context.items():
            base = ("context", code)
            if over.text is not None:
                self.check_texts(iid, (*base, "text"), over.text, "text")
            if over.why is not None:
                self.check_texts(iid, (*base, "why"), over.why, _("rationale (why)"),
                                 severity="warning")
            if over.notes is not None:
                self.check_texts(iid, (*base, "notes"), over.notes, _("translation notes"),
                                 required=False, complete=False)
            if over.verified_on is None and item.verified_on is None:
                self.add(iid, base, _("country-specific fact without 'verified_on' for "
                         "{code}").format(code=code), "warning")
        self.check_lists(item)
        for code in self.contexts:
            self.check_key(item, code)

    def _lists(self, item: AnyItem) -> Iterator[tuple[KeyPath, str, list[Any]]]:
        """Every option-like list of the item, universal and per context."""
        name = {"single": "option", "multiple": "option", "order": "step",
                "practical": "criterion"}.get(item.type)
        attr = {"option": "options", "step": "steps", "criterion": "criteria"}
        if name:
            yield (name,), name, list(getattr(item, attr[name]))
            for code, over in item.context.items():
                value = getattr(over, attr[name])
                if value is not None:
                    yield ("context", code, name), name, list(value)
        if isinstance(item, MatchItem):
            for side in ("left", "right"):
                yield (side,), side, list(getattr(item, side))
                for code, over in item.context.items():
                    value = getattr(over, side)
                    if value is not None:
                        yield ("context", code, side), side, list(value)

    def check_lists(self, item: AnyItem) -> None:
        for path, name, entries in self._lists(item):
            ids = [e.id for e in entries]
            for index, entry in enumerate(entries):
                if ids.index(entry.id) != index:
                    self.add(item.id, (*path, index), _("duplicate {name} id '{id}'").format(
                        name=name, id=entry.id))
                self.check_texts(item.id, (*path, index, "text"), entry.text,
                                 _("{name} '{id}' text").format(name=name, id=entry.id))

    def check_key(self, item: AnyItem, code: str) -> None:
        if isinstance(item, PracticalItem):
            return
        over = item.context.get(code)
        where: KeyPath = ("context", code, "answer") if (
            over is not None and getattr(over, "answer", None) is not None) else ("answer",)
        answer = resolve.key(item, code)
        if answer is None:
            self.add(item.id, ("answer",), _("no key for context {code}: give a universal "
                     "'answer' or one in [item.context.{code}]").format(code=code))
            return
        problem = self.key_problem(item, code, answer)
        if problem:
            self.add(item.id, where, _("key for {code}: {problem}").format(
                code=code, problem=problem))

    def key_problem(self, item: AnyItem, code: str, answer: Any) -> str | None:
        if isinstance(item, SingleItem | MultipleItem | OrderItem):
            ids = [o.id for o in resolve.choices(item, code)]
            picked = [answer] if isinstance(item, SingleItem) else list(answer)
            unknown = [a for a in picked if a not in ids]
            if unknown:
                return _("names no option: {ids}").format(ids=", ".join(unknown))
            if isinstance(item, MultipleItem) and not picked:
                return _("a multiple-choice key needs at least one option")
            if isinstance(item, OrderItem) and sorted(picked) != sorted(ids):
                return _("an order key must list every step exactly once "
                         "(steps: {ids})").format(ids=", ".join(ids))
            if isinstance(item, MultipleItem) and len(set(picked)) != len(picked):
                return _("an option is named twice")
        if isinstance(item, MatchItem):
            left, right = resolve.match_sides(item, code)
            left_ids, right_ids = {o.id for o in left}, {o.id for o in right}
            bad = [k for k in answer if k not in left_ids] + [
                v for v in answer.values() if v not in right_ids]
            if bad:
                return _("names no entry: {ids}").format(ids=", ".join(bad))
            unpaired = sorted(left_ids - set(answer))
            if unpaired:
                return _("left entries without a pair: {ids}").format(ids=", ".join(unpaired))
        if isinstance(item, TextItem):
            if not answer:
                return _("no accepted answer")
            if item.numeric:
                bad = [a for a in answer if parse_number(a) is None]
                if bad:
                    return _("not a number: {values}").format(values=", ".join(bad))
        return None
