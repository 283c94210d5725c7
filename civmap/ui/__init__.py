"""civmap's Streamlit side: the only part of civmap that imports Streamlit.

Pages call ``ui.<name>``: the shared frame (``core``: settings, the current user's scoped
store, language, the sidebar filters, the city map) and one module per feature. Caches
are keyed by the store's data version, its scope and the ``Filters`` value, never by
GeoDataFrames (which ``st.cache_data`` cannot hash); the store itself is a resource.
"""

from civmap.ui.core import (ICON, asset_base, cache_key, cached_events, cached_headline, cached_map_html,
                            cached_problems, code_multiselect, current_scope, current_store, district_names, due_soon_table, lang,
                            metric_row, overdue_table, selection, settings, show_map, table_labels, tile_config, vocab)
from civmap.ui.bulletin import bulletin_pdf, bulletin_period, made_bulletin, pdf_available
from civmap.ui.circles import circle_data, circle_map_html, circle_rule
from civmap.ui.ledger import ledger_check, ledger_commit, ledger_export, ledger_names
from civmap.ui.params import (SHARED_FILTERS, filters_without_sidebar, kept_value, kept_widget, lang_problems,
                              language_picker, sidebar_filters, url_filters, url_period, url_warnings, view_filters, view_note,
                              view_params, write_url)
from civmap.ui.progress import (PROGRESS_TILES, date_range_input, progress_filters, progress_tiles,
                                progress_timeline, rank_names, show_chart)
from civmap.ui.setup import (district_table, import_command, missing_stages, setup_notice, setup_state, stage_table,
                             vocabulary_tables)
from civmap.ui.text import WORD_JOINER, plain
from civmap.ui.wall import (WALL_READ_ERRORS, wall_awaits_problems, wall_districts, wall_now, wall_options,
                            wall_position, wall_read, wall_weights)

__all__ = [
    "ICON", "asset_base", "cache_key", "cached_events", "cached_headline", "cached_map_html", "cached_problems",
    "code_multiselect", "current_scope", "current_store", "district_names", "due_soon_table", "lang", "metric_row", "overdue_table",
    "selection", "settings", "show_map", "table_labels", "tile_config", "vocab", "bulletin_pdf",
    "bulletin_period", "made_bulletin", "pdf_available", "circle_data", "circle_map_html", "circle_rule",
    "ledger_check", "ledger_commit", "ledger_export", "ledger_names", "SHARED_FILTERS", "filters_without_sidebar",
    "kept_value", "kept_widget", "lang_problems", "language_picker", "sidebar_filters", "url_filters", "url_period",
    "url_warnings", "view_filters", "view_note",
    "view_params", "write_url", "PROGRESS_TILES", "date_range_input", "progress_filters", "progress_tiles",
    "progress_timeline", "rank_names", "show_chart", "district_table", "import_command",
    "missing_stages", "setup_notice", "setup_state", "stage_table", "vocabulary_tables", "WORD_JOINER", "plain",
    "WALL_READ_ERRORS", "wall_awaits_problems", "wall_districts", "wall_now", "wall_options", "wall_position",
    "wall_read", "wall_weights"
]
