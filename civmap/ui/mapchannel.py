"""The map as a control: a click on a feature reaches Python, and Python can show one.

``st.iframe`` draws a map but hears nothing back. ``map_control`` draws the same HTML
inside a small Streamlit component served by the app itself (``static/civmap/mapframe``:
no build step, nothing fetched from outside): ``layers.js`` reports which named feature
was clicked, the component hands that to Python, and a ``focus`` sent back makes the map
fly to a feature and open it without being rebuilt.

The map's page itself does not ride in the component's arguments: Streamlit keeps it as a
media file of the session (``_served``) and the child frame loads it from the app over HTTP.
Sent as an argument, the demo city's 0.65 MB page was decoded, parsed and handed on by
Streamlit's page before the map's frame could start on it; fetched, the browser reads it as
it arrives (``bench/bench_map.py``).

A city map (``MapPage`` with ``layers`` and ``shell``) also has its feature layers apart.
When the filters change, the page open in the browser is on the same base (the same
``shell``), so it is sent the new layers and draws them in place: no new page to load, parse
and lay out, and the user's layer switches and (unless other districts were picked) view kept.
The layers ride with the run when the session's last run sent a map on that base; otherwise
the open page may fetch them (served like the page), and loads its whole page if it cannot.

streamlit-folium's ``st_folium`` was tried for this channel and not used: it reports the
clicked place and the popup or tooltip text, not which feature was clicked, and civmap's
canvas layers build their popups only when opened, so there is no text to report.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Callable

import streamlit as st
import streamlit.components.v1 as components

from civmap.config import ROOT

__all__ = ["MAP_LAYERS", "MapPage", "MapPick", "MapView", "map_control", "read_pick", "read_view"]

#: The layers a pick can name: the district base and the four feature layers.
MAP_LAYERS = ("districts", "points", "circles", "alleys", "problems")

_map_component = components.declare_component("civmap_map", path=str(ROOT / "static" / "civmap" / "mapframe"))


@dataclass(frozen=True)
class MapPick:
    """One feature on the map: its layer (``MAP_LAYERS``) and its id (a code for districts);
    where it is (``lat``, ``lon`` as the map shows it), when its layer is sent as cells and the
    map must go there to load it."""

    layer: str
    id: str
    lat: float | None = None
    lon: float | None = None

    def as_arg(self) -> dict:
        place = {} if self.lat is None or self.lon is None else {"lat": self.lat, "lon": self.lon}
        return {"layer": self.layer, "id": self.id, **place}


@dataclass(frozen=True)
class MapPage:
    """A map's page; for a map whose layers can be sent apart, those layers (the JSON
    ``civmapLayers`` in ``layers.js`` takes) and its ``shell``: a key of everything else on
    the page, equal for two pages only when one can become the other by its layers."""

    html: str
    layers: str | None = None
    shell: str | None = None


@dataclass(frozen=True)
class MapView:
    """What a map showing a layer as cells asks for: the single features of ``layers`` in
    ``bounds`` (south, west, north, east), at ``zoom``; ``key`` is its request, echoed back."""

    bounds: tuple[float, float, float, float]
    zoom: int
    layers: tuple[str, ...]
    key: str


def read_view(value) -> MapView | None:
    """The view in the component's ``value``, if it is one a map can ask for.

    The value comes from the browser: anything but four finite coordinates in order, a
    zoom from 0 to 22 and known layer names is ignored.
    """
    view = value.get("view") if isinstance(value, dict) else None
    if not isinstance(view, dict):
        return None
    bounds, zoom, layers = view.get("bounds"), view.get("zoom"), view.get("layers")
    try:
        box = tuple(float(x) for x in bounds)
        zoom = int(zoom)
        names = tuple(str(x) for x in layers)
    except (TypeError, ValueError):
        return None
    if (len(box) != 4 or not all(math.isfinite(x) for x in box) or box[0] > box[2] or box[1] > box[3]
            or not 0 <= zoom <= 22 or not names or not set(names) <= set(MAP_LAYERS)):
        return None
    key = json.dumps({"bounds": bounds, "zoom": view.get("zoom"), "layers": layers}, separators=(",", ":"))
    return MapView(box, zoom, tuple(sorted(set(names))), key)


def read_pick(value, last_token) -> tuple[MapPick | None, object]:
    """The pick in the component's ``value`` if it is new and names a feature, and its token.

    The value stays the same across reruns until the next click; its token (a counter and
    the browser's clock) tells a new click from the last one (``last_token``), and a value
    a page cannot use (an unknown layer, an empty id) is ignored rather than raised.
    """
    if not isinstance(value, dict) or "n" not in value:
        return None, last_token
    token = (value.get("n"), value.get("t"))
    if token == last_token:
        return None, last_token
    layer, ident = value.get("layer"), value.get("id")
    if layer not in MAP_LAYERS or not isinstance(ident, str) or not ident.strip():
        return None, token
    return MapPick(layer, ident), token


def _served(text: str, key: str, mimetype: str = "text/html", kind: str = "map") -> str:
    """Where the app serves the map page ``text`` (a path on the app, the base URL path
    included: the component's frame resolves it against the app's host), or its layers.

    Streamlit's media files are kept while a run of the session uses them and dropped
    after the first run that does not; one page is held once, whoever is shown it, under a
    name made from its content, so a map can only be fetched by one who was sent its name.
    """
    from streamlit import runtime

    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    url = runtime.get_instance().media_file_mgr.add(text.encode("utf-8"), mimetype, f"civmap-{kind}-{key}")
    return f"/{prefix}{url}" if prefix else url


def map_control(page: str | MapPage, height: int, key: str, focus: MapPick | None = None,
                detail: Callable[[MapView], list[dict]] | None = None, report_shown: str | None = None) -> MapPick | None:
    """Show the map ``page`` (its HTML, or a ``MapPage``); return the feature clicked since
    the last run, if any.

    ``focus`` asks the map to fly to a feature and open its popup (a list row picked on
    the page); asking again for the same feature does nothing, so a rerun does not move
    the user's map. ``detail`` answers a map that shows a layer as cells and asks for the
    single features of its view: it is given the view and returns the feature batches. A
    view asked by a map since replaced (the filters changed) is not answered.
    """
    page = page if isinstance(page, MapPage) else MapPage(page)
    map_id = hashlib.blake2b(page.html.encode("utf-8"), digest_size=8).hexdigest()
    asked = st.session_state.get(key)
    view = read_view(asked) if detail is not None and isinstance(asked, dict) and asked.get("map") == map_id else None
    answer = None if view is None else {"key": view.key, "batches": detail(view)}
    layers = None if page.layers is None else _served(page.layers, key, "application/json", "layers")
    # A new map on the base sent last run: the open page will want these layers at once,
    # and a fetch would wait for a server still busy with the rest of this run. Streamlit
    # keeps the component's state only while a run shows it: when it is gone the last run
    # was another page, whose return builds the component, and its page, anew.
    # They go as bytes, which Streamlit sends beside the arguments' JSON as they are: as a string
    # inside it, their quotes and Chinese were escaped (twice the bytes) and parsed twice.
    last = st.session_state.get(f"{key}__sent") if key in st.session_state else None
    inline = page.layers.encode("utf-8") if page.shell is not None and last is not None and last[0] == page.shell \
        and last[1] != map_id else None
    st.session_state[f"{key}__sent"] = (page.shell, map_id)
    value = _map_component(src=_served(page.html, key), layers=layers, layers_text=inline, shell=page.shell, height=height,
                           focus=None if focus is None else focus.as_arg(), detail=answer, map_id=map_id,
                           report_shown=report_shown, key=key, default=None)
    pick, st.session_state[f"{key}__seen"] = read_pick(value, st.session_state.get(f"{key}__seen"))
    return pick
