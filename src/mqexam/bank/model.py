"""The bank format as pydantic models: module metadata, outcomes, items.

Called by the loader (which validates raw TOML into these) and read by every
later layer. Owns the shape of a bank and the per-field rules a single value
must obey. Rules that relate several values (an answer naming an option, a
locale missing a text) live in :mod:`mqexam.bank.checks`, so that all problems
of a module are reported together. See docs/bank-format.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
LOCALE_PATTERN = r"^[a-z]{2,3}(_[A-Z]{2})?$"
VERSION_PATTERN = r"^\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$"

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
CountryCode = Annotated[str, Field(pattern=COUNTRY_PATTERN)]
LocaleTag = Annotated[str, Field(pattern=LOCALE_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Localized = dict[LocaleTag, Text]
"""Text per locale: ``text.en = "..."``, ``text.da = "..."``."""

ITEM_TYPES = ("single", "multiple", "order", "text", "match", "practical")
PLACEHOLDERS = frozenset({"country", "guideline"})


class Strict(BaseModel):
    """Unknown keys are errors, and so are values of the wrong TOML type.

    ``strict``: TOML values are typed, so ``points = "2"`` or ``numeric = "yes"``
    is an author's mistake to report, not a string to coerce (an integer still
    counts as a number where a decimal is expected).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True,
                              defer_build=True)


# -- module ----------------------------------------------------------------


class Context(Strict):
    """Where knowledge applies: a country and, optionally, the guideline it follows."""

    code: CountryCode
    guideline: str | None = None
    notes: Localized = {}


class Workload(Strict):
    hours: Annotated[float, Field(gt=0)]
    ects: Annotated[float, Field(ge=0)] | None = None


class Blueprint(Strict):
    """How a form is drawn from the bank."""

    items: Annotated[int, Field(ge=1)]
    per_outcome: Annotated[int, Field(ge=0)] = 1
    time_limit_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    shuffle_items: bool = True
    shuffle_options: bool = True


Share = Annotated[float, Field(ge=0, le=1)]


class PassRules(Strict):
    """Pass thresholds as shares of points: overall, and per outcome where required."""

    overall: Share
    outcomes: dict[Id, Share] = {}


class Outcome(Strict):
    """A learning outcome written as a competence."""

    id: Id
    text: Localized
    life_safety: bool = False


class ModuleMeta(Strict):
    """``module.toml``: what a micro-credential must say about itself."""

    id: Id
    version: Annotated[str, Field(pattern=VERSION_PATTERN)]
    title: Localized
    description: Localized = {}
    awarding_body: Annotated[str, Field(min_length=1)]
    issuer_country: CountryCode
    eqf_level: Annotated[int, Field(ge=1, le=8)]
    workload: Workload
    assessment_type: Localized
    participation: Localized
    quality_assurance: Localized
    prerequisites: Localized = {}
    stackability: Localized = {}
    validity_years: Annotated[int, Field(ge=1, le=50)] | None = None
    languages: Annotated[list[LocaleTag], Field(min_length=1)]
    fallback: dict[LocaleTag, list[LocaleTag]] = {}
    references: list[Text] = []
    contexts: Annotated[list[Context], Field(alias="context", min_length=1)]
    outcomes: Annotated[list[Outcome], Field(alias="outcome", min_length=1)]
    blueprint: Blueprint
    pass_rules: Annotated[PassRules, Field(alias="pass")]


# -- items -----------------------------------------------------------------


class Option(Strict):
    """A choice, a step of an order item, or an entry of a match item."""

    id: Id
    text: Localized


class Criterion(Strict):
    """One line of a practical item's checklist."""

    id: Id
    text: Localized
    required: bool = True


class Override(Strict):
    """What one context changes about an item. Anything left out is universal."""

    text: Localized | None = None
    why: Localized | None = None
    references: list[Text] | None = None
    notes: Localized | None = None
    verified_on: date | None = None


class ItemBase(Strict):
    id: Id
    outcomes: Annotated[list[Id], Field(min_length=1)]
    points: Annotated[float, Field(gt=0, le=100)] = 1.0
    text: Localized
    why: Localized = {}
    references: list[Text] = []
    notes: Localized = {}
    verified_on: date | None = None

    @property
    def override_map(self) -> dict[str, Override]:
        return dict(getattr(self, "context", {}))


class SingleOverride(Override):
    answer: Id | None = None
    options: list[Option] | None = Field(default=None, alias="option")


class SingleItem(ItemBase):
    type: Literal["single"]
    options: Annotated[list[Option], Field(alias="option", min_length=2)]
    answer: Id | None = None
    context: dict[CountryCode, SingleOverride] = {}


class MultipleOverride(Override):
    answer: list[Id] | None = None
    options: list[Option] | None = Field(default=None, alias="option")


class MultipleItem(ItemBase):
    type: Literal["multiple"]
    scoring: Literal["all-or-nothing", "partial"] = "partial"
    options: Annotated[list[Option], Field(alias="option", min_length=2)]
    answer: list[Id] | None = None
    context: dict[CountryCode, MultipleOverride] = {}


class OrderOverride(Override):
    answer: list[Id] | None = None
    steps: list[Option] | None = Field(default=None, alias="step")


class OrderItem(ItemBase):
    type: Literal["order"]
    scoring: Literal["exact", "partial"] = "partial"
    steps: Annotated[list[Option], Field(alias="step", min_length=2)]
    answer: list[Id] | None = None
    context: dict[CountryCode, OrderOverride] = {}


class TextOverride(Override):
    answer: list[Annotated[str, Field(min_length=1)]] | None = None


class TextItem(ItemBase):
    type: Literal["text"]
    numeric: bool = False
    answer: list[Annotated[str, Field(min_length=1)]] | None = None
    context: dict[CountryCode, TextOverride] = {}


class MatchOverride(Override):
    answer: dict[Id, Id] | None = None
    left: list[Option] | None = None
    right: list[Option] | None = None


class MatchItem(ItemBase):
    type: Literal["match"]
    scoring: Literal["all-or-nothing", "partial"] = "partial"
    left: Annotated[list[Option], Field(min_length=2)]
    right: Annotated[list[Option], Field(min_length=2)]
    answer: dict[Id, Id] | None = None
    context: dict[CountryCode, MatchOverride] = {}


class PracticalOverride(Override):
    criteria: list[Criterion] | None = Field(default=None, alias="criterion")


class PracticalItem(ItemBase):
    type: Literal["practical"]
    criteria: Annotated[list[Criterion], Field(alias="criterion", min_length=1)]
    context: dict[CountryCode, PracticalOverride] = {}


Item = Annotated[
    SingleItem | MultipleItem | OrderItem | TextItem | MatchItem | PracticalItem,
    Field(discriminator="type"),
]
ItemAdapter: TypeAdapter[Any] = TypeAdapter(Item, config=ConfigDict(defer_build=True))

AnyItem = SingleItem | MultipleItem | OrderItem | TextItem | MatchItem | PracticalItem
ChoiceItem = SingleItem | MultipleItem


class Source(Strict):
    """Where something was written: file and, when known, line."""

    path: Path
    line: int | None = None


class Module(BaseModel):
    """A loaded, versioned module: metadata, items, where each came from, content hash."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    meta: ModuleMeta
    items: tuple[AnyItem, ...]
    folder: Path
    content_hash: str
    sources: dict[str, Source]

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    def item(self, item_id: str) -> AnyItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def context(self, code: str) -> Context | None:
        for context in self.meta.contexts:
            if context.code == code:
                return context
        return None

    @property
    def context_codes(self) -> list[str]:
        return [c.code for c in self.meta.contexts]
