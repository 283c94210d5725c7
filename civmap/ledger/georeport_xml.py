"""GeoReport v2's XML form of the Open311 bodies, for systems that ask for ``.xml``.

GeoReport v2 serves every list as JSON or XML with the same fields: requests as
``<service_requests><request>…</request></service_requests>`` and the service list as
``<services><service>…</service></services>``. The XML is built with ElementTree so every
text is escaped (a description holding ``<script>&"'`` stays text), and written as UTF-8
with an XML declaration. Nested values (``extended_attributes``) become child elements;
``None`` an empty element, as the spec's examples show for fields a server leaves blank;
booleans ``true``/``false`` as in the JSON.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["requests_xml", "services_xml"]

# XML 1.0 cannot carry these control characters at all, even escaped; ElementTree would
# write them and the reader would reject the whole file. A ledger cell pasted from a
# terminal or a Word document can hold one, so it is dropped rather than breaking the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(child, key, inner)
    else:
        child.text = _text(value)


def _document(root_name: str, item_name: str, items: list[dict]) -> bytes:
    root = ET.Element(root_name)
    for item in items:
        element = ET.SubElement(root, item_name)
        for key, value in item.items():
            _append(element, key, value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def requests_xml(requests: list[dict]) -> bytes:
    """``requests.xml``: the same service requests as ``open311_requests`` returns (UTF-8)."""
    return _document("service_requests", "request", requests)


def services_xml(services: list[dict]) -> bytes:
    """``services.xml``: the service list as ``open311_services`` returns it (UTF-8)."""
    return _document("services", "service", services)
