"""Problems as Open311 GeoReport v2 service requests, so other city systems can read them.

The body is what a GeoReport v2 server returns for ``GET /requests.json``: a JSON array
of service requests with the standard fields. Open311 knows only the statuses ``open``
and ``closed``: a problem counts as closed when its status type is ``closed`` (销号);
reported-fixed problems awaiting their check are still open, with the office's status
in ``status_notes``. What civmap knows beyond the standard travels under
``extended_attributes``, the name Open311's published extensions (as served by Chicago
and others with ``extensions=true``) use. Times carry the city's UTC offset (+08:00 in China);
``lat``/``long`` are WGS-84.

The service list (``GET /services.json``) has one service per problem category of the
office's vocabulary, so a client can file or filter by the same codes the requests carry.
Both come as XML too (``civmap.ledger.georeport_xml``), as GeoReport v2 asks of a server.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from civmap import clock
from civmap.figures import overdue_days, overdue_mask
from civmap.filters import Filters
from civmap.i18n import t
from civmap.ledger.georeport_xml import requests_xml, services_xml
from civmap.storage.store import Store
from civmap.vocab import Vocabulary

__all__ = ["open311_requests", "open311_services", "export_open311", "export_open311_services"]


def _stamp(value) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if not isinstance(value, dt.datetime):
        value = pd.Timestamp(value).to_pydatetime()
    return clock.aware(value).isoformat()


def _day_end(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    day = pd.Timestamp(value).date()
    return clock.aware(dt.datetime.combine(day, dt.time(23, 59, 59))).isoformat()


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def open311_requests(problems: pd.DataFrame, events: pd.DataFrame, vocab: Vocabulary, as_of: dt.date,
                     district_names: dict[str, str], area_names: dict[str, str]) -> list[dict]:
    """Service requests for ``problems`` (rows of ``Store.problems``).

    ``requested_datetime`` is the problem's first event (when it was logged), else the
    start of its finding day; ``updated_datetime`` its last status change;
    ``expected_datetime`` the end of its deadline day.
    """
    first = events.groupby("problem_id")["at"].min().to_dict() if len(events) else {}
    types = vocab.statuses["type"].to_dict()
    status_labels, category_labels = vocab.labels("statuses", "zh"), vocab.labels("problem_categories", "zh")
    source_labels = vocab.labels("problem_sources", "zh")
    late = overdue_mask(problems, vocab, as_of).tolist()
    days = overdue_days(problems, as_of).tolist()
    found = pd.to_datetime(problems["found_on"]).dt.date.tolist()
    deadline = pd.to_datetime(problems["deadline"]).dt.date.tolist()
    out = []
    # Plain records, not iterrows: a Series per row made this most of an export's time.
    for row, is_late, late_days, found_on, due in zip(problems.to_dict("records"), late, days, found, deadline):
        status_type = types.get(row["status"], "open")
        requested = first.get(row["id"])
        if requested is None or pd.isna(requested):
            requested = dt.datetime.combine(found_on, dt.time())
        due = None if pd.isna(due) else due
        out.append({
            "service_request_id": str(row["id"]),
            "status": "closed" if status_type == "closed" else "open",
            "status_notes": status_labels.get(row["status"], str(row["status"])),
            "service_name": category_labels.get(row["category"], str(row["category"])),
            "service_code": row["category"],
            "description": _text(row["description"]),
            "agency_responsible": _text(row.get("unit_name")),
            "service_notice": None,
            "requested_datetime": _stamp(requested),
            "updated_datetime": _stamp(row["status_since"]),
            "expected_datetime": _day_end(due),
            "address": _text(row["address"]),
            "address_id": None,
            "zipcode": None,
            "lat": float(row["lat"]),
            "long": float(row["lon"]),
            "media_url": None,
            "extended_attributes": {
                "civmap_status": row["status"],
                "civmap_status_type": status_type,
                "source": row["source"],
                "source_name": source_labels.get(row["source"], str(row["source"])),
                "found_on": found_on.isoformat(),
                "deadline": None if due is None else due.isoformat(),
                "overdue": bool(is_late),
                "overdue_days": int(late_days) if is_late else 0,
                "district_code": row["district_code"],
                "district_name": district_names.get(row["district_code"]),
                "street_code": _text(row["street_code"]),
                "street_name": area_names.get(row["street_code"]),
                "point_id": _text(row["point_id"]),
                "point_name": _text(row.get("point_name")),
                "unit_code": _text(row["unit_code"]),
                "chief_name": _text(row["chief_name"]),
                "crs": "EPSG:4326",
            },
        })
    return out


def open311_services(vocab: Vocabulary) -> list[dict]:
    """The GeoReport v2 service list: one service per problem category, in vocabulary order.

    Names and descriptions are Chinese, the office's working language; the English name
    and the time limit travel under ``extended_attributes`` like the requests' extras.
    ``metadata`` is false because civmap asks no extra questions per category, and
    ``type`` is ``realtime`` because a request is stored the moment it is filed.
    """
    group = t("ledger.open311.group", "zh")
    services = []
    for code, row in vocab.problem_categories.iterrows():
        name, days = str(row["zh"]), int(row["time_limit_days"])
        services.append({
            "service_code": code,
            "service_name": name,
            "description": t("ledger.open311.service_description", "zh", name=name, days=days),
            "metadata": False,
            "type": "realtime",
            # the spec's keywords are one comma-separated string, so a comma inside a label goes
            "keywords": ",".join(k.replace(",", " ") for k in (name, str(row["en"]), code)),
            "group": group,
            "extended_attributes": {"service_name_en": str(row["en"]), "time_limit_days": days},
        })
    return services


def export_open311_services(vocab: Vocabulary, xml: bool = False) -> bytes:
    """The service list as ``services.json`` (or ``services.xml``), UTF-8."""
    services = open311_services(vocab)
    return services_xml(services) if xml else json.dumps(services, ensure_ascii=False).encode("utf-8")


def export_open311(store: Store, filters: Filters, vocab: Vocabulary, as_of: dt.date, xml: bool = False) -> bytes:
    """The selection's problems as a GeoReport v2 ``requests.json`` (or ``requests.xml``) body, UTF-8."""
    from civmap.ledger import display_names

    problems = pd.DataFrame(store.problems(filters)).sort_values("id")
    events = store.events(filters)
    names = display_names(store)
    requests = open311_requests(problems, events, vocab, as_of, names["district_code"], names["street_code"])
    return requests_xml(requests) if xml else json.dumps(requests, ensure_ascii=False).encode("utf-8")
