"""Open311 GeoReport v2 beyond requests.json: the service list, and both lists as XML
(escaped, parseable, the same fields as the JSON); and the command line writing each form."""

import json
import xml.etree.ElementTree as ET

import pytest

from civmap.cli import main
from civmap.filters import Filters
from civmap.ledger import display_names
from civmap.ledger.export import FORMATS, export_as, export_file_name
from civmap.ledger.georeport_xml import requests_xml
from civmap.ledger.open311 import export_open311, export_open311_services, open311_requests
from civmap.ledger.cli import EXPORT_FORMATS
from civmap.vocab import load_vocabulary

VOCAB = load_vocabulary()
HOSTILE = "<script>alert(1)</script> & \"引号\" 'single' ]]>"


def test_service_list_has_one_service_per_problem_category():
    services = json.loads(export_open311_services(VOCAB))
    assert [s["service_code"] for s in services] == VOCAB.codes("problem_categories")
    for service in services:
        code = service["service_code"]
        assert service["service_name"] == VOCAB.label("problem_categories", code, "zh")
        assert (service["metadata"], service["type"], service["group"]) == (False, "realtime", "创城问题")
        assert f"整改时限 {VOCAB.time_limit_days(code)} 天" in service["description"]
        assert service["service_name"] in service["description"].split("，")[0]
        assert code in service["keywords"].split(",")
        assert service["extended_attributes"]["service_name_en"] == VOCAB.label("problem_categories", code, "en")
    assert next(s for s in services if s["service_code"] == "bin_damage")["extended_attributes"] \
        == {"service_name_en": "Bin damaged or overflowing", "time_limit_days": 1}


def test_service_list_xml_parses_with_the_same_services():
    services = json.loads(export_open311_services(VOCAB))
    data = export_open311_services(VOCAB, xml=True)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)
    assert root.tag == "services" and [e.tag for e in root] == ["service"] * len(services)
    for element, service in zip(root, services):
        assert element.findtext("service_code") == service["service_code"]
        assert element.findtext("service_name") == service["service_name"]
        assert element.findtext("description") == service["description"]
        assert (element.findtext("metadata"), element.findtext("type")) == ("false", "realtime")
        assert element.findtext("keywords") == service["keywords"]
        assert element.findtext("extended_attributes/service_name_en") == \
            service["extended_attributes"]["service_name_en"]


def test_requests_xml_matches_the_json_request_by_request(demo_store):
    filters = Filters(districts=("D03",))
    as_of = demo_store.as_of()
    requests = json.loads(export_open311(demo_store, filters, VOCAB, as_of))
    root = ET.fromstring(export_open311(demo_store, filters, VOCAB, as_of, xml=True))
    assert root.tag == "service_requests" and len(root) == len(requests) > 0
    assert {e.tag for e in root} == {"request"}
    for element, request in zip(root, requests):
        assert [child.tag for child in element] == list(request)  # same fields, same order
        for key in ("service_request_id", "status", "status_notes", "service_code", "service_name",
                    "requested_datetime", "updated_datetime", "expected_datetime", "description", "address"):
            assert element.find(key).text == request[key], key  # an empty element is JSON's null
        assert (float(element.findtext("lat")), float(element.findtext("long"))) == (request["lat"], request["long"])
        assert element.find("media_url").text is None and request["media_url"] is None
        extended = element.find("extended_attributes")
        assert [child.tag for child in extended] == list(request["extended_attributes"])
        assert extended.findtext("overdue") == ("true" if request["extended_attributes"]["overdue"] else "false")
        assert extended.findtext("civmap_status") == request["extended_attributes"]["civmap_status"]
        assert int(extended.findtext("overdue_days")) == request["extended_attributes"]["overdue_days"]
    assert {r["status"] for r in requests} <= {"open", "closed"}


def test_a_hostile_description_stays_text_in_xml(demo_store):
    problems = demo_store.problems(Filters(districts=("D02",))).sort_values("id").reset_index(drop=True)
    problems.loc[0, "description"] = HOSTILE + "\x00\x1b"  # control characters XML 1.0 cannot carry
    problems.loc[1, "address"] = "</address><status>closed</status>"
    names = display_names(demo_store)
    requests = open311_requests(problems.head(2), demo_store.events(), VOCAB, demo_store.as_of(),
                                names["district_code"], names["street_code"])
    data = requests_xml(requests)
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    root = ET.fromstring(data)
    assert root[0].findtext("description") == HOSTILE
    assert root[1].findtext("address") == "</address><status>closed</status>"
    assert [e.findtext("status") for e in root] == [r["status"] for r in requests]
    assert len(root[1].findall("status")) == 1


def test_every_format_has_a_file_name_and_the_cli_lists_them_all(demo_store):
    assert EXPORT_FORMATS == FORMATS
    day = demo_store.as_of()
    names = {fmt: export_file_name(fmt, day) for fmt in FORMATS}
    assert len(set(names.values())) == len(FORMATS)
    assert names["open311-services-xml"].endswith(".open311-services.xml")
    with pytest.raises(ValueError, match="kml"):
        export_as("kml", demo_store, Filters(), VOCAB, day)


@pytest.mark.parametrize("name, args, root_tag", [
    ("requests.json", [], None),
    ("requests.xml", [], "service_requests"),
    ("services.json", [], None),
    ("services.xml", [], "services"),
    ("out.xml", ["--format", "open311-services-xml"], "services"),
    ("out.dat", ["--format", "open311-xml"], "service_requests"),
])
def test_cli_writes_each_open311_form(name, args, root_tag, demo_db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVMAP_DATABASE_URL", demo_db_url)
    out = tmp_path / name
    assert main(["export", str(out), "--district", "D02", *args]) == 0
    data = out.read_bytes()
    services = "services" in name or "services" in "".join(args)
    if root_tag is None:
        items = json.loads(data)
        key = "service_code" if services else "service_request_id"
        assert items and all(key in item for item in items)
        if not services:
            assert {i["extended_attributes"]["district_code"] for i in items} == {"D02"}
    else:
        root = ET.fromstring(data)
        assert root.tag == root_tag and len(root) > 0
    if services:
        assert data == export_open311_services(VOCAB, xml=root_tag is not None)
