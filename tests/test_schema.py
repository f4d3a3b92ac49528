"""The record schema keeps exactly the contract's field names."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from coder.schema import RECORD_FIELDS, Actor, EventRecord, Location, ManifestLine

CONTRACT_RECORD_FIELDS = [
    "article_id", "event_id", "language", "event_date", "time_precision", "event_type", "sub_event_type",
    "disorder_type", "cameo_code", "cameo_root", "quad_class", "goldstein", "plover_event", "actor1", "actor2",
    "location", "fatalities", "modality", "evidence", "confidence", "confidences", "coder_version", "model",
    "title", "url", "source",
]


def test_record_has_every_contract_field_and_no_other():
    assert list(RECORD_FIELDS) == CONTRACT_RECORD_FIELDS


def test_nested_objects_have_contract_fields():
    assert list(Actor.model_fields) == ["text", "name", "cameo_code", "country", "inter"]
    assert list(Location.model_fields) == ["text", "name", "country", "admin1", "latitude", "longitude", "geo_precision"]
    assert list(EventRecord.model_fields["evidence"].annotation.model_fields) == ["sentence", "start", "end", "trigger"]
    assert list(EventRecord.model_fields["confidences"].annotation.model_fields) == [
        "event_type", "cameo_code", "actor1", "actor2", "location", "event_date"]
    assert list(ManifestLine.model_fields) == ["article_id", "status", "events", "error"]


def test_pipeline_records_validate_and_dump_every_field(fake_coder):
    recs = fake_coder.code("Gunmen killed five villagers in Zamfara on Sunday, police said.", date="2024-03-12")
    assert recs
    line = json.loads(recs[0].model_dump_json())
    assert list(line) == CONTRACT_RECORD_FIELDS
    assert EventRecord.model_validate(line) == recs[0]
    assert line["evidence"]["trigger"] == "killed"
    assert line["fatalities"] == 5
    assert line["event_date"] == "2024-03-10"


def test_schema_rejects_bad_values():
    with pytest.raises(ValidationError):
        Actor(text="x", inter=9)
    with pytest.raises(ValidationError):
        Actor(text="x", bogus=1)
