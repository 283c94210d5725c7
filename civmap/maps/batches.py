"""Map layers as compact batches drawn on one Leaflet canvas.

A folium object per feature costs about 500 bytes in the page and a JavaScript object
each; at 14,000 features that is seconds of drawing (the README's Performance section). Here a
layer is one ``FeatureBatch``: its rows are arrays of coordinates and small integers
(categorical values are sent once, in ``dicts``), and ``static/civmap/layers.js``
turns them into canvas markers whose popups are built only when clicked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

__all__ = ["BaseLayer", "Field", "FeatureBatch", "LayerSlot", "MapFit", "PickReporter", "batch_payload", "script_json"]

# Inside <script>, the HTML parser ends the script at "</script" and starts a comment state
# at "<!--" whatever JSON says; "&" matters in XHTML; U+2028/9 end a line in older JavaScript.
# JSON has these characters only inside strings, where \uXXXX means the same character.
_SCRIPT_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                  0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value) -> str:
    """``value`` as JSON that can be written inside an HTML ``<script>`` as it is.

    Ledger text reaches the map's script (a point named ``</script><svg onload=…>``):
    with ``<``, ``>``, ``&`` and U+2028/U+2029 written as ``\\uXXXX`` escapes no text can end
    the script or open a comment, and ``json.loads`` (or JavaScript) reads back exactly
    the original strings.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # str.replace per character, not str.translate: the same text, a tenth of a district map's
    # build faster (translate looks up every character of the payload in the table).
    for char, escape in _SCRIPT_UNSAFE.items():
        text = text.replace(chr(char), escape)
    return text


@dataclass(frozen=True)
class Field:
    """One line of a popup: its label, the column it shows, and how to show it."""

    label: str
    column: str
    kind: str = "text"  # text | dict (categorical: sent once) | pct | num


def _coords(geometry, kind: str) -> list:
    """Leaflet wants [lat, lon]; rounded to 6 decimals (about 0.1 m) to halve the bytes."""
    if kind == "line":
        parts = getattr(geometry, "geoms", [geometry])
        return [[round(y, 6), round(x, 6)] for part in parts for x, y in part.coords]
    return [round(geometry.y, 6), round(geometry.x, 6)]


def _all_coords(geometries, kind: str) -> list:
    """``_coords`` of every geometry; points read as two arrays, not one shape at a time."""
    if kind == "line" or not len(geometries):
        return [_coords(g, kind) for g in geometries]
    return np.round(np.column_stack([geometries.y.to_numpy(), geometries.x.to_numpy()]), 6).tolist()


def _jsonable(value):
    if type(value) is str:  # most values (ledger text): as they are, without the checks below
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return round(float(value), 4)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def _column(values: pd.Series) -> list:
    """``_jsonable`` of every value: a column of text, numbers or flags is converted whole
    (its missing values made None), any other (dates) once per distinct value."""
    whole = values.dtype != object and (values.dtype.kind in "biuf" or pd.api.types.is_string_dtype(values.dtype))
    if not whole:
        # A column of dates holds a few hundred days: each is written once. A missing value's
        # code, -1, takes the None put at the end.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        converted = [_jsonable(v) for v in uniques.tolist()] + [None]
        return [converted[c] for c in codes.tolist()]
    out = values.tolist()
    for i in np.flatnonzero(values.isna().to_numpy()):
        out[i] = None
    return out


def batch_payload(frame, kind: str, style_codes: Sequence[str], styles: dict[str, dict],
                  fields: Sequence[Field], title: str | None = None, circle_radius: float | None = None,
                  layer: str | None = None, key: str | None = None) -> dict:
    """The JSON-able batch for ``layers.js``.

    ``frame`` is a GeoDataFrame in EPSG:4326; ``style_codes`` gives each row's key into
    ``styles`` (for example its category code), so a style is sent once per category.
    ``layer`` and ``key`` (a column, usually ``id``) name each feature, so a click can
    tell the page which one was picked and a list row can ask the map to find it.
    """
    if kind not in ("point", "line", "circle"):
        raise ValueError(f"unknown batch kind {kind!r}")
    style_keys = list(styles)
    style_index = {key: i for i, key in enumerate(style_keys)}
    columns = [f.column for f in fields]
    for extra in (title, key):
        if extra is not None and extra not in columns:
            columns.append(extra)
    dicts: dict[str, list] = {}
    encoded = []
    table = pd.DataFrame(frame, copy=False)  # a GeoDataFrame's column lookup checks for geometry each time
    for position, column in enumerate(columns):
        values = table[column] if column in table else pd.Series([None] * len(frame), index=frame.index)
        is_dict = any(f.column == column and f.kind == "dict" for f in fields)
        if is_dict:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            dicts[str(position)] = [_jsonable(u) for u in uniques.tolist()]
            encoded.append([None if c < 0 else c for c in codes.tolist()])
        else:
            encoded.append(_column(values))
    styled = [style_index.get(code, 0) for code in style_codes]
    rows = [[where, style, *cells] for where, style, cells in
            zip(_all_coords(frame.geometry, kind), styled, zip(*encoded) if encoded else ((),) * len(styled))]
    payload = {
        "kind": kind,
        "styles": [styles[key] for key in style_keys] or [{}],
        "fields": [[f.label, columns.index(f.column), f.kind] for f in fields],
        "dicts": dicts,
        "title": None if title is None else columns.index(title),
        "layer": layer,
        "key": None if key is None else columns.index(key),
        "rows": rows,
    }
    if circle_radius is not None:
        payload["circleRadius"] = circle_radius
    return payload


class FeatureBatch(JSCSSMixin, MacroElement):
    """Adds one batch to its parent FeatureGroup when the map loads.

    Add it to a ``folium.FeatureGroup`` so the layer control switches it as one layer.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        civmapDraw({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict, script_url: str, text: str | None = None):
        """``text``: the payload already written by ``script_json`` (a map that also sends
        its layers apart writes each once)."""
        super().__init__()
        self._name = "FeatureBatch"
        self.default_js = [("civmap_layers", script_url)]
        self.payload = script_json(payload) if text is None else text
        self.count = len(payload["rows"])


class PickReporter(MacroElement):
    """Makes a click on a feature of its parent GeoJson a pick of ``layer`` by ``property``.

    The district base is a folium GeoJson, not a batch; this binds the same report that
    ``layers.js`` sends for batch features (``civmapReport``), with the district's code,
    and registers the GeoJson as the base that ``layers.js`` keeps under every feature.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (window.civmapBase = window.civmapBase || []).push({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.on("click", function (e) {
          var props = (e.layer && e.layer.feature && e.layer.feature.properties) || {};
          if (window.civmapReport && props[{{ this.property }}] !== undefined) {
            window.civmapReport({{ this.layer }}, String(props[{{ this.property }}]));
          }
        });
        {% endmacro %}
        """
    )

    def __init__(self, layer: str, property: str):
        super().__init__()
        self._name = "PickReporter"
        self.layer = script_json(layer)
        self.property = script_json(property)


class LayerSlot(MacroElement):
    """Names its parent FeatureGroup as the map's layer ``name`` (``points``, ``problems``, ...):
    where ``layers.js`` draws that layer's batches when the page is sent new ones in place
    (``civmapLayers``), the group, its place in the layer control and its switch kept."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        civmapSlot({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }}, {{ this.slot }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, script_url: str):
        super().__init__()
        self._name = "LayerSlot"
        self.default_js = [("civmap_layers", script_url)]
        self.slot = script_json(name)


class MapFit(MacroElement):
    """Opens the map on ``bounds`` ([[south, west], [north, east]]) and notes them, so that
    layers sent in place move the map only when their bounds differ (another district
    picked), not when a status is: the user's pan and zoom are kept."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        civmapFit({{ this._parent.get_name() }}, {{ this.bounds }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds, script_url: str):
        super().__init__()
        self._name = "MapFit"
        self.default_js = [("civmap_layers", script_url)]
        self.bounds = script_json(bounds)


class BaseLayer(MacroElement):
    """Marks its parent GeoJson as the base that ``layers.js`` keeps under every feature.

    A filled area drawn above a circle's ring would take the clicks meant for the ring;
    ``PickReporter`` does this too, for a base whose clicks are picks.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (window.civmapBase = window.civmapBase || []).push({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "BaseLayer"
