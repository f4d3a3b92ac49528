"""The public record schema: pydantic v2 models whose field names are fixed by the contract.

``Article`` is one input article, ``EventRecord`` one output line, ``Actor`` and ``Location`` its
nested objects. Field names must never be renamed: researchers script against them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Language = Literal["en", "fr"]
Modality = Literal["asserted", "negated", "hypothetical", "future"]
Status = Literal["coded", "no_event", "error"]


class Article(BaseModel):
    """One input article. ``id`` and ``text`` are required; the rest is optional metadata."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    id: str = Field(min_length=1)
    text: str
    date: str | None = None
    lang: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, v: object) -> object:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        return v


class Actor(BaseModel):
    """An event participant: the span as written and its normalised codes."""

    model_config = ConfigDict(extra="forbid")

    text: str | None
    name: str | None = None
    cameo_code: str | None = None
    country: str | None = None
    inter: int | None = Field(default=None, ge=1, le=8)


class Location(BaseModel):
    """Where an event happened, resolved against the gazetteer where possible."""

    model_config = ConfigDict(extra="forbid")

    text: str | None
    name: str | None = None
    country: str | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = Field(default=None, ge=1, le=3)


class Evidence(BaseModel):
    """The sentence an event was read from and the trigger's character offsets in the article."""

    model_config = ConfigDict(extra="forbid")

    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    trigger: str


class FieldConfidences(BaseModel):
    """Per-field probabilities that the field is right (null when the field is null)."""

    model_config = ConfigDict(extra="forbid")

    event_type: float | None = Field(default=None, ge=0, le=1)
    cameo_code: float | None = Field(default=None, ge=0, le=1)
    actor1: float | None = Field(default=None, ge=0, le=1)
    actor2: float | None = Field(default=None, ge=0, le=1)
    location: float | None = Field(default=None, ge=0, le=1)
    event_date: float | None = Field(default=None, ge=0, le=1)


class EventRecord(BaseModel):
    """One coded event: exactly one line of the JSONL output."""

    model_config = ConfigDict(extra="forbid")

    article_id: str
    event_id: str
    language: Language
    event_date: str | None
    time_precision: int | None = Field(ge=1, le=3)
    event_type: str | None
    sub_event_type: str | None
    disorder_type: str | None
    cameo_code: str = Field(pattern=r"^\d{2,4}$")
    cameo_root: str = Field(pattern=r"^\d{2}$")
    quad_class: int = Field(ge=1, le=4)
    goldstein: float = Field(ge=-10, le=10)
    plover_event: str | None
    actor1: Actor | None
    actor2: Actor | None
    location: Location | None
    fatalities: int | None = Field(ge=0)
    modality: Modality
    evidence: Evidence
    confidence: float = Field(ge=0, le=1)
    confidences: FieldConfidences
    coder_version: str
    model: str
    title: str | None = None
    url: str | None = None
    source: str | None = None


class ManifestLine(BaseModel):
    """One line of ``OUTPUT.manifest.jsonl``: what became of one input article."""

    model_config = ConfigDict(extra="forbid")

    article_id: str
    status: Status
    events: int = Field(ge=0)
    error: str | None = None


RECORD_FIELDS: tuple[str, ...] = tuple(EventRecord.model_fields)
"""Output field names in their fixed order."""
