"""Checks on the CAMEO / PLOVER / ACLED tables shipped as package data, and their lookups.

Fast, offline: only the committed JSON tables and the build script's parsers are used.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from coder.ontology.cameo import (
    UnknownAcledSubEventType,
    UnknownAgentCode,
    UnknownCameoCode,
    acled_candidates,
    acled_for_cameo,
    agent_info,
    all_cameo_codes,
    cameo_for_acled,
    cameo_info,
    root_of,
)
from coder.ontology.classes import EVENT_CLASSES, acled_table, load_data

PLOVER = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}
ROOTS = [f"{i:02d}" for i in range(1, 21)]
# GDELT QuadClass by root, written out independently of the build script.
QUAD = {**dict.fromkeys(ROOTS[0:5], 1), **dict.fromkeys(ROOTS[5:9], 2),
        **dict.fromkeys(ROOTS[9:14], 3), **dict.fromkeys(ROOTS[14:20], 4)}
SUB_EVENT_TYPES = list(acled_table()["sub_event_types"])


@pytest.fixture(scope="module")
def cameo_table() -> dict:
    """The whole ``cameo.json``."""
    return load_data("cameo.json")


@pytest.fixture(scope="module")
def build() -> ModuleType:
    """``scripts/build_ontology.py`` imported as a module (for its parsers)."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "build_ontology.py"
    spec = importlib.util.spec_from_file_location("build_ontology", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- the CAMEO table -----------------------------------------------------------------------------


def test_table_covers_roots_and_hierarchy() -> None:
    codes = set(all_cameo_codes())
    assert len(codes) > 300
    assert set(ROOTS) <= codes
    for code in codes:
        assert code.isdigit() and len(code) in (2, 3, 4), code
        assert code[:2] in ROOTS, code
        if len(code) == 4:
            assert code[:3] in codes, code
        if len(code) == 3:
            assert code[:2] in codes, code


def test_every_code_has_a_name_and_consistent_root_and_quad() -> None:
    for code in all_cameo_codes():
        info = cameo_info(code)
        assert info.code == code
        assert info.name.strip(), code
        assert info.root == root_of(code) == code[:2]
        assert info.quad_class == QUAD[info.root], code


def test_goldstein_in_range() -> None:
    for code in all_cameo_codes():
        g = cameo_info(code).goldstein
        assert isinstance(g, float) and -10.0 <= g <= 10.0, code


def test_plover_values_are_event_types_or_null() -> None:
    for code in all_cameo_codes():
        info = cameo_info(code)
        assert info.plover_event is None or info.plover_event in PLOVER, code
        if info.plover_event is None:
            assert info.plover_mode is None and info.plover_context is None, code


def test_plover_covers_every_root_the_table_maps(cameo_table: dict) -> None:
    mapped = {cameo_info(c).plover_event for c in all_cameo_codes()} - {None}
    assert mapped == PLOVER
    unmapped_roots = set(cameo_table["_doc"]["plover"]["roots_without_mapping"])
    for code, row in cameo_table["codes"].items():
        if row["root"] not in unmapped_roots:
            assert row["plover_event"] in PLOVER, code


def test_spot_checks() -> None:
    assert cameo_info("190").goldstein == -10.0
    assert cameo_info("141").goldstein == -6.5
    assert cameo_info("010").goldstein == 0.0
    assert cameo_info("0874").goldstein == 10.0
    assert cameo_info("173").quad_class == 4
    assert cameo_info("141").quad_class == 3
    assert cameo_info("090").quad_class == 2
    assert cameo_info("057").quad_class == 1
    assert root_of("0874") == "08"
    assert cameo_info("0874").name == "Retreat or surrender militarily"
    assert cameo_info("14").name == "Protest"
    assert cameo_info("193").plover_event == "ASSAULT"
    assert cameo_info("173").plover_event == "COERCE" and cameo_info("173").plover_mode == "arrest"
    assert cameo_info("163").plover_event == "COERCE"  # CAMEO2PLOVER moves sanctions out of SANCTION
    assert cameo_info("036").plover_event == "AGREE"
    assert cameo_info("1411").plover_event == "PROTEST"
    assert cameo_info("010").plover_event is None  # CAMEO2PLOVER-2021 has no 01 section


def test_plover_inherits_from_parent(cameo_table: dict) -> None:
    codes = cameo_table["codes"]
    assert codes["1951"]["plover_source"] == "parent:195"
    assert cameo_info("1951").plover_event == cameo_info("195").plover_event == "ASSAULT"
    for code, row in codes.items():
        src = row["plover_source"]
        if src and src.startswith("parent:"):
            parent = codes[src.split(":", 1)[1]]
            assert code.startswith(src.split(":", 1)[1])
            assert row["plover_event"] == parent["plover_event"], code


def test_goldstein_source_choice_is_recorded(cameo_table: dict) -> None:
    doc = cameo_table["_doc"]["goldstein"]
    assert doc["primary"] == "gdelt_goldstein.tsv"
    assert doc["fallback"] == "phoenix_goldstein.json"
    codes = cameo_table["codes"]
    assert {row["goldstein_source"].split(":")[0] for row in codes.values()} <= {"gdelt", "phoenix", "parent"}
    # 016 Deny responsibility: GDELT -2.0, Phoenix +3.4 -> GDELT wins and the clash is listed.
    assert doc["disagreements"]["016"] == {"gdelt": -2.0, "phoenix": 3.4}
    assert codes["016"]["goldstein"] == -2.0 and codes["016"]["goldstein_source"] == "gdelt"
    for code, both in doc["disagreements"].items():
        assert both["gdelt"] != both["phoenix"]
        assert codes[code]["goldstein"] == both["gdelt"], code
        assert codes[code]["goldstein_source"] == "gdelt", code
    # 1213 only in Phoenix; 1214 in neither -> its parent's value.
    assert codes["1213"]["goldstein_source"] == "phoenix"
    assert codes["1214"]["goldstein_source"] == "parent:121"
    assert codes["1214"]["goldstein"] == codes["121"]["goldstein"]


def test_unknown_codes_raise_key_errors() -> None:
    for bad in ("999", "21", "0", "1835", "", "19a"):
        with pytest.raises(UnknownCameoCode):
            cameo_info(bad)
        with pytest.raises(KeyError):
            acled_for_cameo(bad)
    with pytest.raises(UnknownCameoCode, match="CAMEO event code"):
        root_of("0875")
    with pytest.raises(TypeError):
        cameo_info(190)  # type: ignore[arg-type]
    assert cameo_info(" 190 ").code == "190"


# --- CAMEO <-> ACLED --------------------------------------------------------------------------


def test_acled_spot_checks() -> None:
    expected = {
        "190": "Armed clash", "193": "Armed clash", "194": "Shelling/artillery/missile attack",
        "195": "Air/drone strike", "1951": "Air/drone strike", "1952": "Air/drone strike",
        "1831": "Suicide bomb", "183": "Remote explosive/landmine/IED", "1832": "Remote explosive/landmine/IED",
        "1833": "Remote explosive/landmine/IED", "1834": "Remote explosive/landmine/IED",
        "2041": "Chemical weapon", "180": "Attack", "182": "Attack", "186": "Attack",
        "1821": "Sexual violence", "181": "Abduction/forced disappearance", "141": "Peaceful protest",
        "1411": "Peaceful protest", "145": "Violent demonstration", "1451": "Violent demonstration",
        "175": "Excessive force against protesters", "173": "Arrests",
        "171": "Looting/property destruction", "1711": "Looting/property destruction",
        "1712": "Looting/property destruction", "057": "Agreement", "0871": "Agreement",
        "0874": "Non-violent transfer of territory",
    }
    for code, sub in expected.items():
        assert acled_for_cameo(code) == sub, code
    for code in ("010", "015", "020", "036", "040", "042", "051", "111", "112", "1123", "130", "138", "150", "163"):
        assert acled_for_cameo(code) is None, code


def test_acled_values_are_sub_event_types() -> None:
    for code in all_cameo_codes():
        for sub in acled_candidates(code):
            assert sub in SUB_EVENT_TYPES, (code, sub)
        default = acled_for_cameo(code)
        assert default is None or acled_candidates(code)[0] == default


def test_acled_table_keys_are_cameo_codes() -> None:
    data = load_data("cameo_acled.json")
    codes = set(all_cameo_codes())
    assert set(data["cameo_to_acled"]) <= codes
    assert set(data["cameo_alternatives"]) <= codes
    assert set(ROOTS) <= set(data["cameo_to_acled"])


def test_every_sub_event_type_reachable_from_cameo_and_classes() -> None:
    assert len(SUB_EVENT_TYPES) == 25
    from_cameo = {s for code in all_cameo_codes() for s in acled_candidates(code)}
    from_classes = {ec.sub_event_type for ec in EVENT_CLASSES.values()} - {None}
    for sub in SUB_EVENT_TYPES:
        assert sub in from_cameo, sub
        assert sub in from_classes, sub


def test_reverse_map_consistent_with_event_classes() -> None:
    for sub in SUB_EVENT_TYPES:
        code = cameo_for_acled(sub)
        first = next(ec for ec in EVENT_CLASSES.values() if ec.sub_event_type == sub)
        assert code == first.cameo, sub
        assert sub in acled_candidates(code), (sub, code)
    for ec in EVENT_CLASSES.values():
        if ec.sub_event_type is not None:
            assert ec.sub_event_type in acled_candidates(ec.cameo), ec.key
    with pytest.raises(UnknownAcledSubEventType):
        cameo_for_acled("armed clash")


# --- event classes -----------------------------------------------------------------------------


def test_event_class_defaults_exist_with_their_root() -> None:
    for ec in EVENT_CLASSES.values():
        info = cameo_info(ec.cameo)
        assert info.root == ec.cameo_root, ec.key


def test_every_root_reachable_from_an_event_class() -> None:
    assert {root_of(ec.cameo) for ec in EVENT_CLASSES.values()} == set(ROOTS)


# --- agents -------------------------------------------------------------------------------------


def test_agents() -> None:
    expected_inter = {"GOV": 1, "MIL": 1, "COP": 1, "REB": 2, "INS": 2, "SEP": 2, "CVL": 7, "OPP": None}
    for code, inter in expected_inter.items():
        assert agent_info(code).acled_inter == inter, code
    for code in ("GOV", "MIL", "COP", "REB", "CVL", "OPP", "JUD", "MED", "EDU", "BUS", "LAB", "REF", "SPY",
                 "IGO", "NGO", "UAF", "INS", "SEP"):
        assert agent_info(code).name.strip(), code
    assert agent_info("MIL").name == "Military"
    assert agent_info("cop").code == "COP"
    inter_codes = {int(k) for k in acled_table()["inter_codes"]}
    for code, row in load_data("agents.json")["agents"].items():
        assert row["acled_inter"] is None or row["acled_inter"] in inter_codes, code
    with pytest.raises(UnknownAgentCode):
        agent_info("XYZ")


# --- the build script's parsers (synthetic input) ---------------------------------------------


def test_plover_parser_nulls_non_plover_values_and_inherits(build: ModuleType) -> None:
    text = """# comment
01: DISCARD
010: DISCARD, ,  # Make statement
19: ASSAULT
190: ASSAULT, , military # Use conventional military force
195: ASSAULT, aerial , military # Employ aerial weapons
196: n/a, ,  # Violate ceasefire
"""
    plover = build.parse_plover(text)
    codes = ["01", "010", "011", "19", "190", "195", "1951", "196", "1961"]
    out, report = build.resolve_plover(codes, plover)
    assert out["010"]["plover_event"] is None and out["010"]["plover_source"] == "table"
    assert out["011"]["plover_event"] is None  # parent root 01 is DISCARD
    assert out["190"]["plover_event"] == "ASSAULT" and out["190"]["plover_context"] == "military"
    assert out["1951"] == {"plover_event": "ASSAULT", "plover_mode": "aerial", "plover_context": "military",
                           "plover_source": "parent:195"}
    assert out["196"]["plover_event"] is None and out["1961"]["plover_event"] is None
    assert report["outside_event_types"] == {"01": "DISCARD", "010": "DISCARD", "196": "N/A"}


def test_goldstein_resolution_prefers_gdelt(build: ModuleType) -> None:
    codes = ["01", "010", "011", "0111"]
    gold, report = build.resolve_goldstein(codes, {"01": 0.0, "010": 1.0}, {"010": 2.0, "011": -0.1, "099": 5.0})
    assert gold["010"] == (1.0, "gdelt")
    assert gold["011"] == (-0.1, "phoenix")
    assert gold["0111"] == (-0.1, "parent:011")
    assert report["disagreements"] == {"010": {"gdelt": 1.0, "phoenix": 2.0}}
    assert report["ignored_not_cameo"]["phoenix_goldstein.json"] == ["099"]


def test_codefile_parser(build: ModuleType) -> None:
    text = """//01: MAKE PUBLIC STATEMENT
LABEL: 018= Make empathetic commment
LABEL: 018= Make empathetic comment
LABELi: 0214= Appeal for intelligence
LABEL: 0811i= Ease restrictions on political freedoms
LABELi: 13y= Threaten with repression
"""
    cf = build.parse_codefile(text)
    assert cf["roots"] == {"01": "Make public statement"}
    assert cf["names"] == {"018": "Make empathetic comment"}
    assert cf["icews"] == {"0214": "Appeal for intelligence", "0811": "Ease restrictions on political freedoms"}
    assert cf["malformed"] == ["LABELi: 13y= Threaten with repression"]
    assert [build.quad_class_of_root(r) for r in ("05", "06", "09", "10", "14", "15", "20")] == [1, 2, 2, 3, 3, 4, 4]
