"""The floor under every map benchmark figure: a Streamlit page holding nothing but civmap's
map component, whose map draws no feature and only marks itself drawn.

Run by ``bench/bench_map.py`` (``streamlit run bench/floor_app.py``); not part of civmap.
What it takes to the drawn mark is Streamlit's own start in the browser (its scripts, the
websocket, the component's frame): no overview, however small, can draw its map sooner.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from civmap.ui.mapchannel import map_control  # noqa: E402

MARK = """<!doctype html><html><body><script>
document.documentElement.setAttribute("data-civmap-drawn", "1");
document.documentElement.setAttribute("data-civmap-drawn-at", String(performance.timeOrigin + performance.now()));
</script></body></html>"""

map_control(MARK, 560, key="floor_map")
