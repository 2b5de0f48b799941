"""Answers and keys as lines a person reads, in the language of the form.

Called by ``results show``, the assessor app and the evidence report. Owns how
each answer shape (see :mod:`mqexam.exam.scoring`) is written out.
"""

from __future__ import annotations

from typing import Any


def answer_lines(item: Any, answer: Any) -> list[str]:
    """``answer`` to ``item`` (a form item) as readable lines; ``[]`` when unanswered."""
    if answer is None or answer == "" or answer == [] or answer == {}:
        return []
    names = {c.id: c.text for c in getattr(item, "options", ())}
    if item.type == "single":
        return [names.get(answer, str(answer))]
    if item.type == "multiple" and isinstance(answer, list):
        return [names.get(a, str(a)) for a in answer]
    if item.type == "order" and isinstance(answer, list):
        return [f"{n}. {names.get(a, str(a))}" for n, a in enumerate(answer, start=1)]
    if item.type == "match" and isinstance(answer, dict):
        left = {c.id: c.text for c in item.left}
        right = {c.id: c.text for c in item.right}
        return [f"{left.get(k, k)} → {right.get(v, v)}" for k, v in answer.items()]
    if isinstance(answer, list):
        return [str(a) for a in answer]
    return [str(answer)]


def key_lines(item: Any) -> list[str]:
    """The item's key for its context, as readable lines."""
    if item.type == "practical":
        return [text for _, text, _ in item.criteria]
    if item.type == "text":
        return [" / ".join(str(a) for a in item.key or [])]
    return answer_lines(item, item.key)
