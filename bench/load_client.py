"""One simulated user of the app, speaking Streamlit's own protocol over its websocket.

A browser talks to a Streamlit process through one websocket (``/_stcore/stream``): it sends
a ``BackMsg`` asking for a run of a page with its query string and the values of its widgets,
and the server streams ``ForwardMsg``s (the page's elements) until ``script_finished``. This
client does exactly that, so the time it measures is the server's whole answer to a user's
action (script run and transfer); what it leaves out is the browser drawing the result.
Twenty headless Chromiums would take the two cores the app processes need, so they would
measure the browsers, not the app.

Widgets are found by the key civmap gives them (``f_statuses``, ``civmap_login_name``): a
Streamlit widget id ends in ``-<key>``. Fragments that rerun by themselves (the wall's
clock and board) are run when the server asks (``auto_rerun``), as a browser would.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

__all__ = ["AppSession", "Run", "RunFailed"]

_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
_COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
#: An ``st.error`` box (``Alert.Format.ERROR``).
_ALERT_ERROR = 1
#: Words of civmap's own failure messages (data/i18n/store.csv: the store could not be
#: read or written). Other error boxes are the app's findings ("the pace is too slow").
_STORE_FAULT = ("数据存储", "The store", "store is")
#: The wall's "data not refreshed" badge (civmap/wall/html.py): a failed read on the wall.
_WALL_STALE = 'data-wall-stale="1"'
#: Keys of the sign-in form's widgets (civmap.ui.auth).
LOGIN_KEYS = ("civmap_login_name", "civmap_login_password")


class RunFailed(Exception):
    """A run that did not finish: the connection dropped, or no answer within the timeout."""


@dataclass
class Run:
    """What one run of a page sent back, and how long it took (seconds, from request to
    ``script_finished``)."""

    seconds: float
    bytes: int = 0
    messages: int = 0
    #: Failures shown on the page: exceptions, the store-fault message, the wall's stale badge.
    errors: list[str] = field(default_factory=list)
    #: Other ``st.error`` boxes: findings the page reports, not failures.
    notices: list[str] = field(default_factory=list)
    #: ``st.metric`` label → value as shown.
    metrics: dict[str, str] = field(default_factory=dict)
    #: The page asked for a sign-in (the form's fields were sent).
    sign_in: bool = False


@dataclass
class _Widget:
    id: str
    kind: str
    element: object


class AppSession:
    """One browser tab: a websocket session with one app process.

    ``open(page, query)`` loads a page (a fresh session, as a reload does); ``change(key,
    values)`` sets a widget the way a user's click does and runs the page again;
    ``auto_reruns(seconds)`` keeps the page open that long, running its fragments when due.
    """

    def __init__(self, base_url: str, timeout: float = 180.0):
        self.base_url = base_url.rstrip("/")
        parsed = urlparse(self.base_url)
        self._ws_url = f"ws://{parsed.netloc}{parsed.path}/_stcore/stream"
        self.timeout = timeout
        self._ws = None
        self._page_name = ""
        self._query = ""
        self._page_hash = ""
        self._widgets: dict[str, _Widget] = {}  # by key
        self._states: dict[str, object] = {}  # widget id -> WidgetState set by this user
        self._fragments: dict[str, float] = {}  # fragment id -> interval (s)

    # -- what a user does -----------------------------------------------------------------
    async def open(self, page: str = "", query: str = "") -> Run:
        """Load ``/page?query`` in a fresh session: the HTML page, then the first run."""
        await self.close()
        start = time.monotonic()
        url = f"{self.base_url}/{page}" + (f"?{query}" if query else "")
        await asyncio.to_thread(_get, url)
        self._ws = await websockets.connect(self._ws_url, subprotocols=["streamlit"], max_size=None,
                                            open_timeout=self.timeout, ping_interval=None)
        self._page_name, self._query, self._page_hash = page, query, ""
        self._widgets, self._states, self._fragments = {}, {}, {}
        run = await self._run()
        run.seconds = time.monotonic() - start
        return run

    async def change(self, key: str, values: list[str]) -> Run:
        """Pick ``values`` (option labels as shown) in the multiselect keyed ``key``."""
        widget = self._widget(key)
        state = self._new_state(widget.id)
        state.string_array_value.data.extend(values)
        return await self._run()

    def options(self, key: str) -> list[str]:
        """The options (labels as shown) of the multiselect or select box keyed ``key``."""
        return list(self._widget(key).element.options)

    def has_widget(self, key: str) -> bool:
        return key in self._widgets

    async def sign_in(self, login: str, password: str) -> Run:
        """Fill in the sign-in form and submit it (the form's own submit button)."""
        name, secret = (self._widget(k) for k in LOGIN_KEYS)
        self._new_state(name.id).string_value = login
        self._new_state(secret.id).string_value = password
        submit = next(w for w in self._widgets.values() if w.kind == "button"
                      and getattr(w.element, "is_form_submitter", False))
        self._new_state(submit.id).trigger_value = True
        run = await self._run()
        self._states.pop(submit.id, None)  # a trigger is sent once
        return run

    async def auto_reruns(self, seconds: float) -> list[tuple[float, Run]]:
        """Stay on the page for ``seconds``, running each self-refreshing fragment when due;
        each run with the fragment's interval (the wall: its clock 1 s, its board ``refresh``)."""
        runs: list[tuple[float, Run]] = []
        end = time.monotonic() + seconds
        due = {fid: time.monotonic() + interval for fid, interval in self._fragments.items()}
        while due:
            fid = min(due, key=due.get)
            if due[fid] >= end:
                break
            await asyncio.sleep(max(0.0, due[fid] - time.monotonic()))
            runs.append((self._fragments.get(fid, 1.0), await self._run(fragment_id=fid)))
            due[fid] = time.monotonic() + self._fragments.get(fid, 1.0)
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        return runs

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    # -- the protocol ---------------------------------------------------------------------
    def _widget(self, key: str) -> _Widget:
        if key not in self._widgets:
            raise KeyError(f"no widget keyed {key!r} on this page (have {sorted(self._widgets)})")
        return self._widgets[key]

    def _new_state(self, widget_id: str):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=widget_id)
        self._states[widget_id] = state
        return state

    async def _run(self, fragment_id: str = "") -> Run:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self._query
        rerun.page_name = self._page_name
        rerun.page_script_hash = self._page_hash
        if fragment_id:
            rerun.fragment_id = fragment_id
            rerun.is_auto_rerun = True
        rerun.widget_states.widgets.extend(self._states.values())
        start = time.monotonic()
        await self._ws.send(msg.SerializeToString())
        run = Run(seconds=0.0)
        try:
            await asyncio.wait_for(self._receive(run), self.timeout)
        except (asyncio.TimeoutError, TimeoutError):
            raise RunFailed(f"no script_finished within {self.timeout:.0f} s") from None
        except websockets.ConnectionClosed as closed:
            raise RunFailed(f"connection closed: {closed}") from None
        run.seconds = time.monotonic() - start
        return run

    async def _receive(self, run: Run) -> None:
        while True:
            data = await self._ws.recv()
            run.bytes += len(data)
            run.messages += 1
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, run)
            elif kind == "navigation" and msg.navigation.page_script_hash:
                self._page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self._query = msg.page_info_changed.query_string  # the app writes the view to the URL
            elif kind == "auto_rerun":
                self._fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {msg.page_not_found.page_name}")
            elif kind == "script_finished":
                if msg.script_finished == _COMPILE_ERROR:
                    run.errors.append("the script did not compile")
                if msg.script_finished != _EARLY:
                    return
                # The page starts again (st.rerun, e.g. after signing in): what counts is what
                # the finished run shows, not the form or figures drawn before the restart.
                run.sign_in, run.metrics = False, {}

    def _element(self, element, run: Run) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.errors.append(f"exception: {element.exception.type}: {element.exception.message}"[:300])
        elif kind == "alert" and element.alert.format == _ALERT_ERROR:
            fault = any(word in element.alert.body for word in _STORE_FAULT)
            (run.errors if fault else run.notices).append(f"error box: {element.alert.body}"[:300])
        elif kind == "html" and _WALL_STALE in element.html.body:
            run.errors.append("the wall shows its stale-data badge (a read failed)")
        elif kind == "metric":
            run.metrics[element.metric.label] = element.metric.body
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            key = widget_id.split("-", 2)[2] if widget_id.count("-") >= 2 else widget_id
            self._widgets[key] = _Widget(widget_id, kind, getattr(element, kind))
            if key in LOGIN_KEYS:
                run.sign_in = True


def _get(url: str) -> None:
    """The page's HTML, as a browser fetches it before it opens the websocket."""
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
