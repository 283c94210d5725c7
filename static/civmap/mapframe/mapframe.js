/* civmap: the map as a Streamlit component, so a click on the map reaches Python.
 *
 * Streamlit renders this page in its own frame and sends it, as an argument, where the app
 * serves the map's page (civmap/ui/mapchannel.py). The map runs in a child frame that loads it;
 * layers.js posts {civmapPick: {layer, id}} when a named feature is clicked, and this page
 * passes it on to Python as the component's value (with a counter, so clicking the same
 * feature twice is two picks). When Python asks for a feature to be shown (args.focus), the
 * request is posted to the map, which flies there and opens it. The map is rebuilt only
 * when its page changes, so a pick or a focus keeps the user's pan and zoom. A new page on
 * the same base (args.shell: after a filter change) is not loaded: the open map is sent the
 * URL of its layers alone (args.layers) and draws them in place ({civmapLayers}), keeping
 * the base, the layer switches and the view; the layers themselves come along
 * (args.layers_text) when Python knows the map it sent last run is on that base, and are
 * handed to the map by a call (civmapTakeLayers). If the layers cannot be had, the map asks
 * for its whole page ({civmapReload}).
 * A layer too big to send whole (civmap/maps/cells.py) asks for the features of the view
 * it shows ({civmapView}); the value goes to Python, whose answer (args.detail) is posted
 * to the map once.
 * Asked to (args.report_shown, a token), it tells Python once per token when the map's page
 * has loaded ({shown: map_id, token}), at once if it already has: a page can send what
 * would slow the map's start (the overview's list grid) only once the map is on screen.
 *
 * The protocol is Streamlit's component messages (streamlit:componentReady, :render,
 * :setComponentValue, :setFrameHeight); nothing is loaded from outside the app.
 */
(function () {
  "use strict";

  var frame = document.getElementById("civmap-map");
  var shownSrc = null;
  var shownShell = null;
  var focusKey = null;
  var detailKey = null;
  var shownMap = null;
  var picks = 0;
  var loaded = false;
  var reportToken = null;
  var reportedToken = null;
  var lastView = null;

  function toStreamlit(type, fields) {
    var message = { isStreamlitMessage: true, type: type };
    Object.keys(fields || {}).forEach(function (name) { message[name] = fields[name]; });
    window.parent.postMessage(message, "*");
  }

  function sendFocus(focus) {
    if (focus && frame.contentWindow) frame.contentWindow.postMessage({ civmapFocus: focus }, "*");
  }

  function reportShown() {
    if (!loaded || reportToken === null || reportToken === reportedToken) return;
    reportedToken = reportToken;
    // The component has one value: a view the map asked for as it loaded rides along, or
    // this report, replacing it before Python read it, would leave the view unanswered.
    var value = { shown: shownMap, token: reportToken };
    if (lastView !== null) { value.view = lastView; value.map = shownMap; }
    toStreamlit("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  frame.addEventListener("load", function () {
    // A focus asked for with the map's first render waits for the map to exist.
    if (focusKey !== null) sendFocus(JSON.parse(focusKey));
    // The map's page has run its scripts: every batch is drawn (not the frame's first, empty page).
    loaded = shownSrc !== null;
    reportShown();
  });

  // Whether the map took ``text``, its layers (layers.js: civmapTakeLayers).
  function takeLayers(text) {
    try {
      var take = frame.contentWindow.civmapTakeLayers;
      return typeof take === "function" && take(text) === true;
    } catch (error) {
      return false;  // not reachable (a page of another origin), or failed: fetch them instead
    }
  }

  function load(src) {
    loaded = false;
    frame.src = src;
  }

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.source === frame.contentWindow && event.origin === location.origin && data.civmapReload) {
      if (shownSrc !== null) load(shownSrc);
      return;
    }
    if (event.source === frame.contentWindow && data.civmapView) {
      lastView = data.civmapView;
      // The map shows a layer too big to send whole: Python sends the features of this view.
      // Marked with the map it came from: a view of a map since replaced is not answered.
      toStreamlit("streamlit:setComponentValue", { value: { view: data.civmapView, map: shownMap }, dataType: "json" });
      return;
    }
    if (event.source === frame.contentWindow && data.civmapPick) {
      picks += 1;
      toStreamlit("streamlit:setComponentValue", {
        value: { layer: String(data.civmapPick.layer), id: String(data.civmapPick.id), n: picks, t: Date.now() },
        dataType: "json",
      });
      return;
    }
    if (data.type !== "streamlit:render") return;
    var args = data.args || {};
    var height = Number(args.height) || 480;
    reportToken = args.report_shown ? String(args.report_shown) : null;
    frame.style.height = height + "px";
    var loading = false;
    if (args.src !== shownSrc) {
      var inPlace = loaded && args.shell && args.shell === shownShell && args.layers && frame.contentWindow;
      shownSrc = args.src;
      shownMap = args.map_id || null;
      detailKey = null;
      lastView = null;
      if (inPlace) {
        // Layers that came along are handed straight to the map (same origin): a message would
        // wait behind the rest of the run Streamlit is drawing. A URL goes to the app's own
        // origin only: the map page takes layers from nowhere else.
        var text = args.layers_text;  // bytes: Streamlit hands them over as a Uint8Array
        if (text instanceof Uint8Array) text = new TextDecoder().decode(text);
        if (!(typeof text === "string" && takeLayers(text))) {
          frame.contentWindow.postMessage({ civmapLayers: String(args.layers) }, location.origin);
        }
      } else {
        shownShell = args.shell || null;
        focusKey = args.focus ? JSON.stringify(args.focus) : null;
        load(args.src);
        loading = true;
      }
    }
    if (!loading) {
      if (args.detail && args.detail.key !== detailKey && frame.contentWindow) {
        detailKey = args.detail.key;
        frame.contentWindow.postMessage({ civmapDetail: args.detail }, "*");
      }
      var key = args.focus ? JSON.stringify(args.focus) : null;
      if (key !== focusKey) {
        focusKey = key;
        sendFocus(args.focus);
      }
    }
    toStreamlit("streamlit:setFrameHeight", { height: height });
    reportShown();
  });

  toStreamlit("streamlit:componentReady", { apiVersion: 1 });
})();
