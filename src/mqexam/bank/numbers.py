"""Numbers as a person types them, for ``numeric = true`` text items.

Called by the bank checks (a numeric key must parse) and meant to be the one
rule scoring compares answers by, so that a key the check accepts is a key the
exam can match. Owns the reading of separators: whitespace is ignored, a comma
reads as a decimal point (``1,5`` = ``1.5``); with both a comma and a dot the
last one is the decimal point and the other groups thousands (``1.000,5`` =
``1,000.5``); a separator used twice groups thousands (``1.000.000``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_GROUPED = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+$")
_MINUS = {"\u2212": "-", "\u2013": "-"}


def parse_number(value: str) -> Decimal | None:
    """``value`` as a finite number, or ``None``."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", value) if not ch.isspace())
    for dash, minus in _MINUS.items():
        text = text.replace(dash, minus)
    if "," in text and "." in text:
        decimal_mark = "," if text.rindex(",") > text.rindex(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        text = text.replace(group_mark, "").replace(decimal_mark, ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        if not _GROUPED.match(text):
            return None
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    if not text or "_" in text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
