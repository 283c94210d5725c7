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

__all__ = ["in_health_check", "warm_up"]

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


_done = threading.Event()
#: How long the script health check waits for the warm-up (Streamlit gives it 60 s).
HEALTH_CHECK_WAIT_S = 50.0


def _warm_and_signal() -> None:
    try:
        _warm()
    finally:
        _done.set()


def warm_up() -> None:
    """Start warming the whole city's caches, once per process (returns at once); in the
    server's script health check, answer only once they are warm (or after
    ``HEALTH_CHECK_WAIT_S``). A service manager or proxy that asks the check before it sends
    users to a process sends the first visitor to a warm one.

    Streamlit's check answers when its run ends, so that run must not end early: the first
    run in a process starts again once (``civmap.ui.core.ensure_frame``), except the check's.
    """
    global _started
    with _STARTED:
        start, _started = not _started, True
    if start:
        threading.Thread(target=_warm_and_signal, name="civmap-warm-up", daemon=True).start()
    if in_health_check():
        _done.wait(HEALTH_CHECK_WAIT_S)


def in_health_check() -> bool:
    """Whether this run is Streamlit's script health check (``/_stcore/script-health-check``):
    its session is made apart from the runtime's session manager, which knows every
    browser's session but not that one."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return False
    manager = getattr(Runtime.instance(), "_session_mgr", None)  # private: a newer Streamlit may move it
    return manager is not None and manager.get_session_info(ctx.session_id) is None
