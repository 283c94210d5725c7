"""A demo store whose every text field holds a script or Markdown payload, for the hostile-input tests.

``poison(url)`` rewrites a scratch copy of the demo store in place: each text column of
each row gets one of ``PAYLOADS`` put in front of its value (the payload turns with the
row and the column, so every field meets every payload somewhere). Ids, codes,
coordinates and dates are left alone, so the city still has the same features.
"""

from __future__ import annotations

from sqlalchemy import text

from civmap.storage import make_engine
from civmap.storage.writes import bump_version

#: Payloads that must stay text: script breakouts, an HTML comment that would swallow the
#: rest of a script, event-handler markup, Markdown links and images, characters that end
#: a JavaScript line or an HTML attribute, template code.
SCRIPT_PAYLOADS = ("</script><svg onload=window.__pwned=1>", "<img src=x onerror=window.__pwned=1>", "<!--<script>")
MARKDOWN_PAYLOADS = ("[m](javascript:window.__pwned=1)", "![i](http://127.0.0.1:9/pwned.png)")
OTHER_PAYLOADS = ("'\"&amp;\u2028\u2029 :red[x] $x$ ",)
#: Jinja syntax: folium pages are rendered with Jinja, and branca read every element's output
#: as a template again (civmap.maps.verbatim); the second one would reach Python's modules.
TEMPLATE_PAYLOADS = ("{{ 7*7 }}{% if true %}T{% endif %}{# c #}",
                     "{{ cycler.__init__.__globals__.os.getpid() }}")
PAYLOADS = SCRIPT_PAYLOADS + MARKDOWN_PAYLOADS + OTHER_PAYLOADS + TEMPLATE_PAYLOADS

#: The text columns the app shows, by table.
TEXT_COLUMNS = {
    "areas": ("name", "name_en"),
    "units": ("name",),
    "points": ("name", "community", "chief_name", "chief_phone", "authority", "partner_unit", "address"),
    "circles": ("name",),
    "alleys": ("name", "chief_name", "chief_phone"),
    "problems": ("description", "address", "chief_name"),
}


def poisoned(value: str | None, rowid: int, column_index: int) -> str:
    """What ``poison`` makes of one stored value (the row's SQLite rowid, the column's place)."""
    return PAYLOADS[(rowid + column_index) % len(PAYLOADS)] + (value or "")


def poison(url: str) -> None:
    """Put a payload in front of every text value in the store at ``url`` (SQLite)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        for table, columns in TEXT_COLUMNS.items():
            for index, column in enumerate(columns):
                cases = " ".join(f"WHEN {i} THEN :p{i}" for i in range(len(PAYLOADS)))
                conn.execute(
                    text(f"UPDATE {table} SET {column} = (CASE (rowid + {index}) % {len(PAYLOADS)} {cases} END)"
                         f" || COALESCE({column}, '')"),
                    {f"p{i}": p for i, p in enumerate(PAYLOADS)})
        bump_version(conn)
    engine.dispose()
