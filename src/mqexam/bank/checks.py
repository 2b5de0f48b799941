"""Cross-checks on a loaded module: everything a schema alone cannot see.

Called by the loader after the schema has passed. Owns the rules that tie values
together: outcomes referenced and covered, answers naming options, order keys as
permutations, a key for every context, text in every declared locale,
placeholders that resolve, the blueprint being drawable. Errors make a module
unusable; warnings (no rationale, no reference, no ``verified_on``) fail only
``bank check --strict``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from mqexam.bank import resolve
from mqexam.bank.model import (
    PLACEHOLDERS,
    AnyItem,
    MatchItem,
    Module,
    ModuleMeta,
    MultipleItem,
    OrderItem,
    PracticalItem,
    SingleItem,
    Source,
    TextItem,
)
from mqexam.bank.numbers import parse_number
from mqexam.bank.source import KeyPath, Problem
from mqexam.i18n import _

Locate = Callable[[str | None, KeyPath], Source]
"""Where a key of an item (or, for ``None``, of module.toml) was written."""

KEY_FIELDS = ("answer", "options", "steps", "left", "right", "criteria")
"""What an override may change that decides an item's key."""

UNIVERSAL = ""
"""A context code no item overrides: resolving for it gives the universal values."""


def check_module(module: Module, locate: Locate, complete: bool = True) -> list[Problem]:
    """Every cross-check of ``module``.

    ``complete`` is false when some items could not be loaded (a broken file, a
    schema error): then the checks that count items (outcomes without items, the
    blueprint) are left out, as they would only echo the problem already reported.
    """
    meta = module.meta
    checker = _Checker(meta.id, meta.languages, module.context_codes,
                       [o.id for o in meta.outcomes], locate)
    checker.check_meta(meta)
    for item in module.items:
        checker.check_item(item)
    if complete:
        checker.check_coverage(module)
    return checker.problems


def check_items(
    module_id: str, items: Iterable[AnyItem], languages: list[str], contexts: list[str],
    outcomes: list[str], locate: Locate,
) -> list[Problem]:
    """The checks of each item alone, for a module whose module.toml has other errors."""
    checker = _Checker(module_id, languages, contexts, outcomes, locate)
    for item in items:
        checker.check_item(item)
    return checker.problems


def overrides_key(item: AnyItem, code: str) -> bool:
    """Whether the item's override for ``code`` changes its key or what the key names."""
    over = item.context.get(code)
    return over is not None and any(getattr(over, name, None) is not None for name in KEY_FIELDS)


class _Checker:
    def __init__(self, module_id: str, languages: list[str], contexts: list[str],
                 outcomes: list[str], locate: Locate) -> None:
        self.module_id = module_id
        self.locate = locate
        self.problems: list[Problem] = []
        self.languages = list(languages)
        self.contexts = list(dict.fromkeys(contexts))
        self.outcome_ids = set(outcomes)

    def add(self, item_id: str | None, path: KeyPath, message: str,
            severity: str = "error") -> None:
        """A problem with item ``item_id`` (``None``: with module.toml) at key ``path``."""
        where = self.locate(item_id, path)
        subject = self.module_id if item_id is None else item_id
        self.problems.append(Problem(where.path, where.line, subject, message, severity))

    # -- texts -------------------------------------------------------------

    def check_texts(
        self, item_id: str | None, path: KeyPath, texts: Mapping[str, str], what: str,
        severity: str = "error", required: bool = True, complete: bool = True,
    ) -> None:
        languages = self.languages
        for tag in texts:
            if tag not in languages:
                self.add(item_id, (*path, tag), _("{what} in undeclared locale '{tag}' "
                         "(module languages: {languages})").format(
                             what=what, tag=tag, languages=", ".join(languages)))
        if complete and (texts or required):
            missing = [tag for tag in languages if tag not in texts]
            if missing:
                self.add(item_id, path, _("{what} missing for locale(s): {tags}").format(
                    what=what, tags=", ".join(missing)), severity)
        for tag, value in texts.items():
            if "{" in value or "}" in value:
                self.check_placeholders(item_id, (*path, tag), value, f"{what} ({tag})")

    def check_placeholders(self, item_id: str | None, path: KeyPath, value: str,
                           what: str) -> None:
        try:
            names = resolve.placeholders(value)
        except ValueError:
            self.add(item_id, path, _("{what} has an unbalanced brace; write {{{{ and }}}} "
                     "for literal braces").format(what=what))
            return
        for name in names:
            if name not in PLACEHOLDERS:
                self.add(item_id, path, _("{what} uses placeholder '{{{name}}}', which does "
                         "not resolve (known: {known})").format(
                             what=what, name=name,
                             known=", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))))

    # -- module ------------------------------------------------------------

    def check_meta(self, meta: ModuleMeta) -> None:
        for tag, count in Counter(self.languages).items():
            if count > 1:
                self.add(None, ("languages",), _("language '{tag}' declared twice").format(
                    tag=tag))
        for tag, chain in meta.fallback.items():
            for target in chain:
                if target not in self.languages:
                    self.add(None, ("fallback", tag), _("fallback for '{tag}' names '{target}', "
                             "which is not a module language").format(tag=tag, target=target))
        for name in ("title", "assessment_type", "participation", "quality_assurance"):
            self.check_texts(None, (name,), getattr(meta, name), name)
        for name in ("description", "prerequisites", "stackability"):
            self.check_texts(None, (name,), getattr(meta, name), name, required=False)
        seen: set[str] = set()
        for index, context in enumerate(meta.contexts):
            if context.code in seen:
                self.add(None, ("context", index, "code"), _("context {code} declared "
                         "twice").format(code=context.code))
            seen.add(context.code)
            self.check_texts(None, ("context", index, "notes"), context.notes,
                             _("context {code} notes").format(code=context.code),
                             required=False, complete=False)
        seen = set()
        for index, outcome in enumerate(meta.outcomes):
            if outcome.id in seen:
                self.add(None, ("outcome", index, "id"), _("duplicate outcome id '{id}'").format(
                    id=outcome.id))
            seen.add(outcome.id)
            self.check_texts(None, ("outcome", index, "text"), outcome.text,
                             _("outcome '{id}' text").format(id=outcome.id))
        for outcome_id in meta.pass_rules.outcomes:
            if outcome_id not in self.outcome_ids:
                self.add(None, ("pass", "outcomes", outcome_id), _("pass rule names outcome "
                         "'{id}', which is not defined").format(id=outcome_id))

    def check_coverage(self, module: Module) -> None:
        meta = module.meta
        counts: Counter[str] = Counter()
        for item in module.items:
            counts.update(set(item.outcomes))
        for index, outcome in enumerate(meta.outcomes):
            if counts[outcome.id] == 0:
                self.add(None, ("outcome", index), _("outcome '{id}' has no item").format(
                    id=outcome.id))
            elif counts[outcome.id] < meta.blueprint.per_outcome:
                self.add(None, ("outcome", index), _("outcome '{id}' has {n} item(s); the "
                         "blueprint draws {k} per outcome").format(
                             id=outcome.id, n=counts[outcome.id], k=meta.blueprint.per_outcome))
        if meta.blueprint.items > len(module.items):
            self.add(None, ("blueprint", "items"), _("the blueprint draws {k} items but the "
                     "module has {n}").format(k=meta.blueprint.items, n=len(module.items)))

    # -- items -------------------------------------------------------------

    def check_item(self, item: AnyItem) -> None:
        iid = item.id
        for index, outcome in enumerate(item.outcomes):
            if outcome not in self.outcome_ids:
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
        self.check_keys(item)

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
            seen: set[str] = set()
            for index, entry in enumerate(entries):
                if entry.id in seen:
                    self.add(item.id, (*path, index, "id"), _("duplicate {name} id '{id}'")
                             .format(name=name, id=entry.id))
                seen.add(entry.id)
                self.check_texts(item.id, (*path, index, "text"), entry.text,
                                 _("{name} '{id}' text").format(name=name, id=entry.id))

    def check_keys(self, item: AnyItem) -> None:
        """The key as each context resolves it: the universal key once, each override once."""
        if isinstance(item, PracticalItem):
            return
        shared = [code for code in self.contexts if not overrides_key(item, code)]
        if shared or item.answer is not None:
            self.check_key(item, UNIVERSAL, shared)
        for code in self.contexts:
            if code not in shared:
                self.check_key(item, code, [code])

    def check_key(self, item: AnyItem, code: str, codes: list[str]) -> None:
        over = item.context.get(code)
        where: KeyPath = ("context", code, "answer") if (
            over is not None and getattr(over, "answer", None) is not None) else ("answer",)
        answer = resolve.key(item, code)
        if answer is None:
            self.add(item.id, ("answer",), _("no key for {codes}: give a universal 'answer' "
                     "or one in [item.context.{code}]").format(codes=", ".join(codes),
                                                              code=codes[0]))
            return
        found = self.key_problem(item, code, answer)
        if found:
            problem, inside = found
            message = (_("key for {codes}: {problem}").format(codes=", ".join(codes),
                                                             problem=problem)
                       if codes else _("universal key: {problem}").format(problem=problem))
            self.add(item.id, (*where, *inside), message)

    def key_problem(self, item: AnyItem, code: str, answer: Any) -> tuple[str, KeyPath] | None:
        """What is wrong with ``answer`` as the key for ``code``, and where inside the key."""
        if isinstance(item, SingleItem | MultipleItem | OrderItem):
            ids = [o.id for o in resolve.choices(item, code)]
            is_list = not isinstance(item, SingleItem)
            picked = list(answer) if is_list else [answer]
            unknown = [a for a in picked if a not in ids]
            what = _("step") if isinstance(item, OrderItem) else _("option")

            def at(value: str) -> KeyPath:
                return (picked.index(value),) if is_list else ()

            if unknown:
                return _("names no {what}: {ids}").format(
                    what=what, ids=", ".join(unknown)), at(unknown[0])
            if isinstance(item, MultipleItem) and not picked:
                return _("a multiple-choice key needs at least one option"), ()
            twice = [a for a, n in Counter(picked).items() if n > 1]
            if twice:
                second = picked.index(twice[0], picked.index(twice[0]) + 1)
                return _("names a {what} more than once: {ids}").format(
                    what=what, ids=", ".join(twice)), (second,)
            left_out = [i for i in ids if i not in picked]
            if isinstance(item, OrderItem) and left_out:
                return _("an order key must list every step exactly once; "
                         "missing: {ids}").format(ids=", ".join(left_out)), ()
        if isinstance(item, MatchItem):
            left, right = resolve.match_sides(item, code)
            left_ids, right_ids = {o.id for o in left}, {o.id for o in right}
            bad = [(k, k) for k in answer if k not in left_ids] + [
                (k, v) for k, v in answer.items() if v not in right_ids]
            if bad:
                return _("names no entry: {ids}").format(
                    ids=", ".join(name for _key, name in bad)), (bad[0][0],)
            unpaired = sorted(left_ids - set(answer))
            if unpaired:
                return _("left entries without a pair: {ids}").format(
                    ids=", ".join(unpaired)), ()
        if isinstance(item, TextItem):
            if not answer:
                return _("no accepted answer"), ()
            if item.numeric:
                bad_numbers = [a for a in answer if parse_number(a) is None]
                if bad_numbers:
                    return _("not a number: {values}").format(
                        values=", ".join(bad_numbers)), (answer.index(bad_numbers[0]),)
        return None
