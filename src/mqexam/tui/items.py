"""One widget per item type; each shows a form item and posts the learner's answer.

Called by the exam screen. Owns how each answer shape is entered by keyboard
alone: single (radio list), multiple (checkboxes), order (a numbered list moved
with keys), text (an input, numbers and phone numbers as typed), match (a choice
per left entry), practical (shown, not answerable). Widgets never score and
never save: they post :class:`AnswerChanged` and the screen saves.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from mqexam.exam.form import FormItem
from mqexam.i18n import N_, _


def clean_text(value: str) -> str:
    """Drop control characters a paste can bring in; keep what a person typed."""
    return "".join(ch for ch in value if ch.isprintable()).strip()


class AnswerChanged(Message):
    """The learner changed the answer to an item (``None`` clears it)."""

    def __init__(self, item_id: str, answer: Any) -> None:
        super().__init__()
        self.item_id = item_id
        self.answer = answer


class ItemWidget(Vertical):
    """Base: the item and the answer the learner had, if any."""

    DEFAULT_CSS = """
    ItemWidget { height: auto; }
    ItemWidget .hint { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, item: FormItem, answer: Any) -> None:
        super().__init__(id=f"item-{item.position}")
        self.item = item
        self.initial = answer

    def changed(self, answer: Any) -> None:
        self.post_message(AnswerChanged(self.item.id, answer))


class SingleWidget(ItemWidget):
    def compose(self) -> ComposeResult:
        with RadioSet(id="answer"):
            for choice in self.item.options:
                yield RadioButton(choice.text, value=choice.id == self.initial, name=choice.id)

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.changed(event.pressed.name)


class MultipleWidget(ItemWidget):
    def compose(self) -> ComposeResult:
        picked = set(self.initial or [])
        yield SelectionList[str](
            *((c.text, c.id, c.id in picked) for c in self.item.options), id="answer"
        )
        yield Label(_("Space ticks or unticks an option. Tick every right answer."),
                    classes="hint")

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        order = [c.id for c in self.item.options]
        picked = sorted(event.selection_list.selected, key=order.index)
        self.changed(picked or None)


class OrderWidget(ItemWidget):
    """Steps shown as a numbered list; the highlighted step moves up or down."""

    BINDINGS = [
        Binding("shift+up,u", "move(-1)", N_("Move up")),
        Binding("shift+down,d", "move(1)", N_("Move down")),
    ]

    def __init__(self, item: FormItem, answer: Any) -> None:
        super().__init__(item, answer)
        ids = [c.id for c in item.options]
        given = list(answer) if isinstance(answer, list) and sorted(answer) == sorted(ids) else ids
        self.order: list[str] = given
        self.names = {c.id: c.text for c in item.options}

    def compose(self) -> ComposeResult:
        yield OptionList(*self._options(), id="answer")
        yield Label(_("Highlight a step with ↑/↓, then move it with Shift+↑/Shift+↓ (or U/D)."),
                    classes="hint")

    def _options(self) -> list[Option]:
        return [Option(f"{n}. {self.names[s]}", id=s) for n, s in enumerate(self.order, 1)]

    def action_move(self, step: int) -> None:
        view = self.query_one(OptionList)
        index = view.highlighted
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.order):
            return
        self.order[index], self.order[target] = self.order[target], self.order[index]
        view.clear_options()
        view.add_options(self._options())
        view.highlighted = target
        self.changed(list(self.order))


class TextWidget(ItemWidget):
    def compose(self) -> ComposeResult:
        yield Input(value=str(self.initial or ""), placeholder=_("Type your answer"),
                    id="answer")
        yield Label(_("Type the answer as you would say or dial it. Enter saves."),
                    classes="hint")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.screen.post_message(TextPending(self.item.id))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.commit()

    def typed(self) -> str | None:
        """The text as typed when it differs from what was saved, else ``None``."""
        value = clean_text(self.query_one(Input).value)
        return value if value != clean_text(str(self.initial or "")) else None

    def commit(self) -> None:
        value = self.typed()
        if value is not None:
            self.changed(value or None)  # the screen updates ``initial`` once it is saved


class TextPending(Message):
    """Text was typed but not yet saved (the screen saves it after a short pause)."""

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id


class MatchWidget(ItemWidget):
    DEFAULT_CSS = """
    MatchWidget Horizontal { height: auto; }
    MatchWidget .left { width: 1fr; padding: 1 1 0 0; }
    MatchWidget Select { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        pairs = dict(self.initial or {})
        options = [(c.text, c.id) for c in self.item.right]
        for entry in self.item.left:
            with Horizontal():
                yield Static(entry.text, classes="left")
                yield Select(options, prompt=_("Choose…"), value=pairs.get(entry.id, Select.NULL),
                             name=entry.id, id=f"pair-{entry.id}")

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        pairs = {}
        for select in self.query(Select):
            if select.value is not Select.NULL and select.name:
                pairs[select.name] = select.value
        self.changed(pairs or None)


class PracticalWidget(ItemWidget):
    def compose(self) -> ComposeResult:
        yield Static(_("This task is assessed by your assessor at the bench. "
                       "There is nothing to answer here."), classes="practical")
        for _id, text, _required in self.item.criteria:
            yield Static(f"  • {text}")


WIDGETS: dict[str, type[ItemWidget]] = {
    "single": SingleWidget,
    "multiple": MultipleWidget,
    "order": OrderWidget,
    "text": TextWidget,
    "match": MatchWidget,
    "practical": PracticalWidget,
}


def widget_for(item: FormItem, answer: Any) -> ItemWidget:
    return WIDGETS[item.type](item, answer)


def focus_target(widget: Widget) -> Widget | None:
    """The control the learner answers with, for initial focus."""
    found = widget.query("#answer, Select")
    return found.first() if found else None
