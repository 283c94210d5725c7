"""The first visitor after a server start should not wait for what every visitor shares.

At ten times the demo city, reading the whole city's layers and building the problems'
status history take a few seconds; after that every visitor's view is masked from them in
memory. ``warm_up`` starts reading both, then builds the overview's default view (the
whole city's open problems: figures, lists, map page), in a background thread the first
time any page runs in a process (the sign-in page included; and at start-up, when the
server's script health check, ``/_stcore/script-health-check``, is asked once), so they are
ready, or well on their way, by the time the first visitor's page asks for them. The caches it fills
are the pages' own (keyed by data version and scope), so nothing is computed twice: a
page asking while the thread works waits for its result.
"""

from __future__ import annotations

import logging
import threading

from civmap.storage.scope import WHOLE_CITY

__all__ = ["warm_up"]

_LOG = logging.getLogger(__name__)
_STARTED = threading.Lock()
_started = False


def _warm() -> None:
    from civmap.demo.seed import needs_first_run
    from civmap.filters import Filters
    from civmap.ui.core import city_layers, city_store, settings, vocab, warm_overview
    from civmap.ui.overview import MAP_HEIGHT
    from civmap.ui.progress import city_history

    try:
        if needs_first_run(settings()):   # the first run seeds, with its steps on screen: not here
            return
        store = city_store()
        if store is None:  # the store cannot be used: the first page says why
            return
        version = store.data_version()
        city_layers(version, WHOLE_CITY)
        city_history(version, WHOLE_CITY)
        # The overview as a visitor first sees it: the open problems of the whole city.
        warm_overview(version, WHOLE_CITY, Filters(statuses=tuple(vocab().unresolved_statuses)), MAP_HEIGHT)
    except Exception:  # noqa: BLE001 - a warm-up that fails costs nothing; the page reads and reports
        _LOG.warning("warming the caches failed; pages will read the store themselves", exc_info=True)


def warm_up() -> None:
    """Start warming the whole city's caches, once per process (returns at once)."""
    global _started
    with _STARTED:
        if _started:
            return
        _started = True
    threading.Thread(target=_warm, name="civmap-warm-up", daemon=True).start()
