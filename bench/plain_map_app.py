"""The plain approach the map benchmark compares civmap with: one folium marker per feature
through ``st_folium`` (streamlit-folium), on the same store and the same filters.

Run by ``bench/bench_map.py`` (``streamlit run bench/plain_map_app.py``); not part of civmap.
Features carry tooltips (folium popups need jQuery, which is not served). It draws what the overview's map draws (points, circles, alleys and the problems of the
chosen statuses, for the districts picked in the sidebar) with a folium object each,
scripts served by the app as civmap's are, so it works offline too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from branca.element import MacroElement  # noqa: E402
from jinja2 import Template  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from civmap.console import operator_store  # noqa: E402
from civmap.filters import Filters  # noqa: E402
from civmap.maps.folium_map import offline_map  # noqa: E402
from civmap.vocab import load_vocabulary  # noqa: E402


class Drawn(MacroElement):
    """Marks the page once every marker before it has been added (what the benchmark waits for)."""

    _template = Template("""{% macro script(this, kwargs) %}
        document.documentElement.setAttribute("data-civmap-drawn", "{{ this.count }}");
        document.documentElement.setAttribute("data-civmap-drawn-at", String(performance.timeOrigin + performance.now()));
        {% endmacro %}""")

    def __init__(self, count: int):
        super().__init__()
        self.count = max(count, 1)


@st.cache_resource
def store():
    return operator_store()


vocab = load_vocabulary()
names = store().district_names()
picked = st.sidebar.multiselect("区县", list(names), format_func=names.get)
statuses = st.query_params.get("status")
statuses = tuple(statuses.split(",")) if statuses else tuple(vocab.unresolved_statuses)
filters = Filters(districts=tuple(picked), statuses=statuses)
s = store()
points, circles, alleys, problems = s.points(filters), s.circles(filters), s.alleys(filters), s.problems(filters)
colors = vocab.colors("statuses")
fmap = offline_map("/app/static")
minx, miny, maxx, maxy = s.districts().total_bounds
fmap.fit_bounds([[miny, minx], [maxy, maxx]])
for row in points.itertuples():
    folium.CircleMarker([row.geometry.y, row.geometry.x], radius=3, color="#475569", weight=1,
                        tooltip=str(row.name)).add_to(fmap)
for row in circles.itertuples():
    folium.Circle([row.geometry.y, row.geometry.x], radius=300, color="#7c3aed", tooltip=str(row.name)).add_to(fmap)
for row in alleys.itertuples():
    for part in getattr(row.geometry, "geoms", [row.geometry]):
        folium.PolyLine([(y, x) for x, y in part.coords], color="#16a34a", tooltip=str(row.name)).add_to(fmap)
for row in problems.itertuples():
    folium.CircleMarker([row.geometry.y, row.geometry.x], radius=4, fill=True, color=colors.get(row.status, "#888"),
                        tooltip=str(row.description)).add_to(fmap)
fmap.add_child(Drawn(len(points) + len(circles) + len(alleys) + len(problems)))
st_folium(fmap, height=560, width=900, returned_objects=[], key="plain_map")
