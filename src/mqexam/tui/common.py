"""Pieces every mqexam screen shares: a translated footer and a small heading."""

from __future__ import annotations

from collections.abc import Iterator

from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from mqexam.i18n import _


class TranslatedFooter(Footer):
    """The footer, with binding descriptions (marked ``N_``) in the interface language."""

    def compose(self) -> Iterator[Widget]:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = _(widget.description)
            yield widget


class Heading(Static):
    DEFAULT_CSS = """
    Heading { text-style: bold; padding: 0 1; background: $primary; color: $text; width: 100%; }
    """
