"""The map as a control: a click on a feature reaches Python, and Python can show one.

``st.iframe`` draws a map but hears nothing back. ``map_control`` draws the same HTML
inside a small Streamlit component served by the app itself (``static/civmap/mapframe``:
no build step, nothing fetched from outside): ``layers.js`` reports which named feature
was clicked, the component hands that to Python, and a ``focus`` sent back makes the map
fly to a feature and open it without being rebuilt.

streamlit-folium's ``st_folium`` was tried for this channel and not used: it reports the
clicked place and the popup or tooltip text, not which feature was clicked, and civmap's
canvas layers build their popups only when opened, so there is no text to report.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import streamlit.components.v1 as components

from civmap.config import ROOT

__all__ = ["MAP_LAYERS", "MapPick", "map_control", "read_pick"]

#: The layers a pick can name: the district base and the four feature layers.
MAP_LAYERS = ("districts", "points", "circles", "alleys", "problems")

_map_component = components.declare_component("civmap_map", path=str(ROOT / "static" / "civmap" / "mapframe"))


@dataclass(frozen=True)
class MapPick:
    """One feature on the map: its layer (``MAP_LAYERS``) and its id (a code for districts)."""

    layer: str
    id: str

    def as_arg(self) -> dict[str, str]:
        return {"layer": self.layer, "id": self.id}


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


def map_control(html: str, height: int, key: str, focus: MapPick | None = None) -> MapPick | None:
    """Show the map ``html``; return the feature clicked since the last run, if any.

    ``focus`` asks the map to fly to a feature and open its popup (a list row picked on
    the page); asking again for the same feature does nothing, so a rerun does not move
    the user's map.
    """
    value = _map_component(html=html, height=height, focus=None if focus is None else focus.as_arg(),
                           key=key, default=None)
    pick, st.session_state[f"{key}__seen"] = read_pick(value, st.session_state.get(f"{key}__seen"))
    return pick
