/* civmap: draw compact feature batches on a Leaflet canvas.
 *
 * The Python side (civmap/maps/batches.py) sends each layer as arrays, not as one folium
 * object per feature: about 40-100 bytes a feature instead of 500, and one canvas
 * renderer for all of them. Popups are built only when a feature is clicked.
 *
 * batch = {
 *   kind: "point" | "line" | "circle",
 *   styles: [ {color, fillColor, radius, weight, fillOpacity, dashArray, ...}, ... ],
 *   fields: [ [label, column, type], ... ]   type: "text" | "dict" | "pct" | "num"
 *   dicts:  { column: [value, ...] },        categorical values sent once
 *   title:  column index of the popup title,
 *   rows:   [ [geometry, styleIndex, value0, value1, ...], ... ]
 *           geometry: [lat, lon] for points and circles, [[lat, lon], ...] for lines
 *   circleRadius: metres (circles only)
 *   layer:  the layer's name ("points", "circles", "alleys", "problems") and
 *   key:    column index of the feature's id; together they name a feature
 * }
 *
 * Picking: a click on a named feature is posted to the parent window as
 * {civmapPick: {layer, id}} (civmap/ui/mapchannel.py hands it to Python), and a parent
 * that posts {civmapFocus: {layer, id}} makes the map fly to that feature and open it.
 */
(function () {
  "use strict";

  // Every value shown in a popup is ledger text: it must stay text inside the popup's HTML,
  // in element content and in a quoted attribute alike.
  function escapeHtml(value) {
    return String(value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function cell(batch, row, field) {
    var value = row[2 + field[1]];
    if (value === null || value === undefined || value === "") return null;
    if (field[2] === "dict") value = batch.dicts[String(field[1])][value];
    if (field[2] === "pct") value = (value * 100).toFixed(1) + "%";
    return value;
  }

  function popupHtml(batch, row) {
    var html = ['<div class="civmap-popup">'];
    var title = batch.title === undefined || batch.title === null ? null : row[2 + batch.title];
    if (title !== null && title !== undefined) {
      html.push("<b>" + escapeHtml(title) + "</b>");
    }
    html.push("<table>");
    batch.fields.forEach(function (field) {
      var value = cell(batch, row, field);
      if (value === null) return;
      html.push("<tr><th>" + escapeHtml(field[0]) + "</th><td>" + escapeHtml(value) + "</td></tr>");
    });
    html.push("</table></div>");
    return html.join("");
  }

  // Markers grow as the user zooms in and shrink when the city is seen whole, so a
  // crowded old town stays readable at city scale.
  function zoomFactor(zoom) {
    return Math.max(0.45, Math.min(1.8, 1 + (zoom - 14) * 0.3));
  }

  // One canvas for everything: Leaflet hit-tests only the topmost canvas, so features on
  // a canvas of their own would hide the district polygons (drawn on the map's canvas)
  // from clicks. Draw order then decides what a click picks: districts at the bottom,
  // circle rings above them, every other feature on top (see restack).
  function uncoverPopup(map, closed) {
    var container = map.getContainer();
    var controls = document.querySelectorAll(".leaflet-control, .civmap-legend");
    var popup = closed ? null : container.querySelector(".leaflet-popup");
    if (!popup) {
      // Nothing to measure: asking where the controls are would lay the page out at once, on
      // every move of the map and in the middle of drawing a filter change's layers.
      Array.prototype.forEach.call(controls, function (control) { control.classList.remove("civmap-under-popup"); });
      return;
    }
    var box = popup.getBoundingClientRect();
    Array.prototype.forEach.call(controls, function (control) {
      var r = control.getBoundingClientRect();
      var over = r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom;
      control.classList.toggle("civmap-under-popup", over);
    });
  }

  function civmapRenderer(map) {
    if (!map._civmapRenderer) {
      if (!map._renderer) map._renderer = L.canvas({ padding: 0.5 });
      map._renderer.options.tolerance = 3;
      map._civmapRenderer = map._renderer;
      map._civmapRings = [];
      map.on("overlayadd", function () { restack(map); });
      // Leaflet draws its controls (and the legend) above every pane, popups included:
      // while a popup is open, the controls it overlaps step aside (a phone has no room).
      map.on("popupopen moveend", function () { uncoverPopup(map); });
      map.on("popupclose", function () { uncoverPopup(map, true); });
      map._civmapScaled = [];
      map.on("zoomend", function () {
        var factor = zoomFactor(map.getZoom());
        map._civmapScaled.forEach(function (layer) {
          layer.setRadius(layer._civmapBaseRadius * factor);
        });
      });
    }
    return map._civmapRenderer;
  }

  // Rings under the features inside them, districts under everything: a click inside a
  // circle picks the point under the pointer, or the circle where there is none.
  function restack(map) {
    map._civmapRings.forEach(function (ring) { if (map.hasLayer(ring)) ring.bringToBack(); });
    (window.civmapBase || []).forEach(function (base) { if (map.hasLayer(base)) base.bringToBack(); });
  }

  // A feature's id as a string key of map._civmapIndex[layer], whatever its JSON type.
  function featureId(batch, row) {
    var value = batch.key === null || batch.key === undefined ? null : row[2 + batch.key];
    return value === null || value === undefined ? null : String(value);
  }

  window.civmapReport = function (layer, id) {
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ civmapPick: { layer: layer, id: id } }, "*");
    }
  };

  function focusFeature(map, target) {
    var found = ((map._civmapIndex || {})[target.layer] || {})[String(target.id)];
    if (!found) return false;
    if (found.getLatLng) {
      map.flyTo(found.getLatLng(), Math.max(map.getZoom(), 16), { duration: 0.6 });
    } else {
      map.flyToBounds(found.getBounds(), { maxZoom: 17, duration: 0.6 });
    }
    map.once("moveend", function () { found.openPopup(); });
    document.documentElement.setAttribute("data-civmap-focused", target.layer + ":" + target.id);
    return true;
  }

  // A focus request that arrives before its layer is drawn waits for the next batch.
  window.addEventListener("message", function (event) {
    var target = event.data && event.data.civmapFocus;
    if (!target) return;
    var map = window.civmapMap;
    if (!map || !focusFeature(map, target)) {
      window.civmapPendingFocus = target;
      // A feature of a layer shown as cells: go where it is; its detail comes with the view.
      var entry = map && (map._civmapAggregates || {})[target.layer];
      if (entry && typeof target.lat === "number" && typeof target.lon === "number") {
        map.setView([target.lat, target.lon], Math.max(map.getZoom(), entry.batch.detailZoom, 16));
      }
    }
  });

  // On a phone the legend starts folded: the map is for the thumb, the legend a tap away.
  function foldLegend() {
    var legend = document.querySelector("details.civmap-legend");
    if (legend && !legend.dataset.civmapFolded && window.matchMedia("(max-width: 640px)").matches) {
      legend.open = false;
    }
    if (legend) legend.dataset.civmapFolded = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", foldLegend);
  else foldLegend();

  // Street and community outlines and names (civmap/maps/areas.py), each level shown from
  // its zoom on. Names are ledger text, set as text (never parsed as HTML); their pane is
  // above the markers and takes no pointer events.
  window.civmapAreas = function (map, payload) {
    if (!map.getPane("civmapLabels")) {
      var pane = map.createPane("civmapLabels");
      pane.style.zIndex = 620;
      pane.style.pointerEvents = "none";
    }
    var groups = [];
    Object.keys(payload.levels).forEach(function (level) {
      var spec = payload.levels[level];
      var group = L.layerGroup();
      spec.areas.forEach(function (area) {
        L.polyline(area.rings, { color: "#64748b", weight: level === "street" ? 1.5 : 1, opacity: 0.8,
          dashArray: level === "street" ? "5 4" : "2 4", interactive: false }).addTo(group);
        var label = document.createElement("div");
        label.className = "civmap-area-label civmap-area-" + level;
        label.textContent = area.name;
        L.marker(area.label, { pane: "civmapLabels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "", html: label, iconSize: [120, 18], iconAnchor: [60, 9] }) }).addTo(group);
      });
      groups.push({ zoom: spec.zoom, group: group });
    });
    function update() {
      groups.forEach(function (entry) {
        var show = map.getZoom() >= entry.zoom;
        if (show && !map.hasLayer(entry.group)) entry.group.addTo(map);
        if (!show && map.hasLayer(entry.group)) map.removeLayer(entry.group);
      });
    }
    map.on("zoomend", update);
    update();
  };

  // A feature's popup is bound the first time it is wanted (a click, a focus, anyone asking
  // for it): bound for every feature as the map drew, popups and their click handlers took a
  // sixth of the first map's drawing. A click on a feature is heard once, by its group.
  function popupOptions() {
    // Padding clear of the zoom buttons (top left) and the layer box (top right).
    return { maxWidth: Math.min(360, window.innerWidth - 60), autoPanPaddingTopLeft: [52, 24],
             autoPanPaddingBottomRight: [24, 24] };
  }

  function bindOwnPopup(layer) {
    var own = layer._civmapFeature;
    if (own && !layer._popup) {
      layer.bindPopup(function () { return popupHtml(own.batch, own.row); }, popupOptions());
    }
  }

  var LazyPopup = {
    getPopup: function () { bindOwnPopup(this); return L.Layer.prototype.getPopup.call(this); },
    openPopup: function (latlng) { bindOwnPopup(this); return L.Layer.prototype.openPopup.call(this, latlng); },
  };
  var Dot = L.CircleMarker.extend(LazyPopup);
  var Ring = L.Circle.extend(LazyPopup);
  var Line = L.Polyline.extend(LazyPopup);

  function listenForClicks(group) {
    if (group._civmapClicks) return;
    group._civmapClicks = true;
    group.on("click", function (event) {
      var layer = event.layer;
      var own = layer && layer._civmapFeature;
      if (!own) return;
      // A popup bound already opened itself (and stopped the click there); else open it here.
      if (!layer._popup) {
        L.DomEvent.stop(event);
        layer.openPopup(event.latlng);
      }
      if (own.batch.layer && own.id !== null) window.civmapReport(own.batch.layer, own.id);
    });
  }

  // Single features of a batch into ``group``; returns how many were drawn.
  function drawRows(map, group, batch) {
    var renderer = civmapRenderer(map);
    var factor = zoomFactor(map.getZoom());
    var count = 0;
    listenForClicks(group);
    map._civmapIndex = map._civmapIndex || {};
    var index = batch.layer ? (map._civmapIndex[batch.layer] = map._civmapIndex[batch.layer] || {}) : {};
    batch.rows.forEach(function (row) {
      var style = L.extend({ renderer: renderer }, batch.styles[row[1]]);
      var layer;
      if (batch.kind === "line") {
        layer = new Line(row[0], style);
      } else if (batch.kind === "circle") {
        layer = new Ring(row[0], L.extend(style, { radius: batch.circleRadius }));
      } else {
        layer = new Dot(row[0], style);
        layer._civmapBaseRadius = style.radius || 4;
        layer.setRadius(layer._civmapBaseRadius * factor);
        map._civmapScaled.push(layer);
      }
      var id = featureId(batch, row);
      layer._civmapFeature = { batch: batch, row: row, id: id };
      // A circle is found by its centre marker (drawn after its ring), not the ring.
      if (batch.layer && id !== null && !(index[id] && batch.kind === "circle")) index[id] = layer;
      group.addLayer(layer);
      if (batch.kind === "circle") map._civmapRings.push(layer);
      count += 1;
    });
    return count;
  }

  function afterDraw(map, count) {
    map._civmapDrawn = (map._civmapDrawn || 0) + count;
    window.civmapMap = map;  // lets browser tests find features on the canvas
    if (window.civmapPendingFocus && focusFeature(map, window.civmapPendingFocus)) {
      window.civmapPendingFocus = null;
    }
    // For tests and benchmarks: the number of features on the map so far (a cell counts
    // the features it stands for), and when (epoch milliseconds) the last batch was drawn.
    document.documentElement.setAttribute("data-civmap-drawn", String(map._civmapDrawn));
    document.documentElement.setAttribute("data-civmap-drawn-at", String(performance.timeOrigin + performance.now()));
  }

  window.civmapDraw = function (map, group, batch) {
    civmapRenderer(map);
    foldLegend();
    if (batch.kind === "cells") {
      addCells(map, group, batch);
      afterDraw(map, batch.total);
      return;
    }
    var count = drawRows(map, group, batch);
    if (batch.kind === "circle") {
      // folium may put the group on the map only after its batches are drawn: restack then.
      if (!group._civmapRestacks) {
        group._civmapRestacks = true;
        group.on("add", function () { restack(map); });
      }
      restack(map);
    }
    afterDraw(map, count);
  };

  // -- the same page, new layers (civmap/maps/folium_map.py: MapContent) ------------------
  // A filter change sends the open page its feature layers alone: each is drawn into the
  // group its slot names, so the base, the layer switches and, unless other districts were
  // picked, the user's pan and zoom stay as they were.
  window.civmapSlot = function (map, group, name) {
    map._civmapSlots = map._civmapSlots || {};
    map._civmapSlots[name] = group;
    window.civmapMap = map;
  };

  window.civmapFit = function (map, bounds) {
    map._civmapFit = JSON.stringify(bounds);
    map.fitBounds(bounds);
  };

  function replaceLegend(html) {
    var old = document.querySelector("details.civmap-legend");
    if (!old || typeof html !== "string") return;
    var holder = document.createElement("div");
    holder.innerHTML = html;  // the server's legend: vocabulary labels, HTML-escaped there
    var fresh = holder.querySelector("details.civmap-legend");
    if (!fresh) return;
    fresh.open = old.open;
    if (old.dataset.civmapFolded) fresh.dataset.civmapFolded = old.dataset.civmapFolded;
    // The sections the user opened or closed stay so.
    var before = {};
    old.querySelectorAll("details details").forEach(function (section) {
      before[section.querySelector("summary").textContent] = section.open;
    });
    fresh.querySelectorAll("details details").forEach(function (section) {
      var name = section.querySelector("summary").textContent;
      if (Object.prototype.hasOwnProperty.call(before, name)) section.open = before[name];
    });
    old.replaceWith(fresh);
  }

  function applyLayers(map, payload) {
    var root = document.documentElement;
    map.closePopup();
    map._civmapIndex = {};
    map._civmapScaled = [];
    map._civmapRings = [];
    map._civmapAggregates = {};
    map._civmapDetailBounds = null;
    map._civmapDetailLayers = null;
    map._civmapViewKey = null;
    map._civmapDrawn = 0;
    root.removeAttribute("data-civmap-detail");
    Array.prototype.slice.call(root.attributes).forEach(function (attribute) {
      if (attribute.name.indexOf("data-civmap-cells-") === 0) root.removeAttribute(attribute.name);
    });
    var slots = map._civmapSlots || {};
    var drawn = false;
    // Cleared before the map moves: a move redraws every feature still on it.
    Object.keys(slots).forEach(function (name) { slots[name].clearLayers(); });
    var fit = payload.fit ? JSON.stringify(payload.fit) : null;
    if (fit !== null && fit !== map._civmapFit) {
      map._civmapFit = fit;
      map.fitBounds(payload.fit, { animate: false });
    }
    Object.keys(slots).forEach(function (name) {
      ((payload.slots || {})[name] || []).forEach(function (batch) {
        window.civmapDraw(map, slots[name], batch);
        drawn = true;
      });
    });
    replaceLegend(payload.legend);
    if (!drawn) afterDraw(map, 0);
  }

  // Only the page that holds this map, served by the app itself, may send it layers: as text
  // (a filter change, sent with the page's run: civmapTakeLayers) or as a path on the app to
  // fetch them from (a message). The legend goes into the page as HTML: a message from another
  // site (a page that framed this one) is not taken, nor a path that leads off the app.
  var layersAsked = 0;

  function reloadPage() {
    window.parent.postMessage({ civmapReload: true }, location.origin);
  }

  // The layers as text, drawn at once. The page that holds this map hands them over by this
  // call rather than a message: a message waits behind every task already queued in the
  // browser's one thread (the rest of the page's run, drawn by Streamlit), and the map with it.
  // Only a page of the app's own origin can reach it; another site's frame gets no access.
  window.civmapTakeLayers = function (text) {
    if (typeof text !== "string" || !window.civmapMap) return false;
    ++layersAsked;  // what a fetch still under way brings is older
    // A focus asked before these layers was for the old ones; one asked with them follows.
    window.civmapPendingFocus = null;
    try {
      applyLayers(window.civmapMap, JSON.parse(text));
    } catch (error) {
      reloadPage();  // half drawn or unreadable: the whole page has it right
    }
    return true;
  };

  window.addEventListener("message", function (event) {
    var url = (event.data || {}).civmapLayers;
    if (typeof url !== "string" || event.source !== window.parent || event.origin !== location.origin ||
        !window.civmapMap) return;
    var asked = ++layersAsked;  // what a fetch still under way brings is older
    window.civmapPendingFocus = null;
    var target;
    try {
      target = new URL(url, location.href);
    } catch (error) {
      return;
    }
    if (target.origin !== location.origin) return;
    fetch(target.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("layers: HTTP " + response.status);
        return response.json();
      })
      .then(function (payload) {
        if (asked === layersAsked) applyLayers(window.civmapMap, payload);
      })
      .catch(function () {
        // The layers are gone (a newer run replaced them), broken, or failed to draw.
        if (asked === layersAsked) reloadPage();
      });
  });

  // -- layers too big to read at once (civmap/maps/cells.py) ----------------------------
  // Below its detail zoom such a layer shows counted cells (those of the view only);
  // from it on, the map asks the page for the single features of its view
  // ({civmapView: {bounds, zoom, layers}} to the parent) and draws what comes back
  // ({civmapDetail: {key, batches}}), replacing the last view's.
  function cellIcon(cell, batch) {
    var digits = String(cell[2]).length;
    var size = 22 + 5 * Math.min(digits, 5);
    var ring = cell[3] > 0 ? batch.hotColor : "#ffffff";
    var label = document.createElement("div");
    label.className = "civmap-cell";
    label.textContent = cell[2] > 9999 ? Math.round(cell[2] / 1000) + "k" : String(cell[2]);
    label.style.cssText = "width:" + size + "px;height:" + size + "px;line-height:" + (size - 6) + "px;background:" +
      batch.color + ";border-color:" + ring;
    if (cell[3] > 0) label.title = String(cell[3]);
    return L.divIcon({ className: "", html: label, iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  }

  function addCells(map, group, batch) {
    var entry = { batch: batch, cells: L.layerGroup(), detail: L.featureGroup(), group: group, shownLevel: null };
    group.addLayer(entry.cells);
    group.addLayer(entry.detail);
    map._civmapAggregates = map._civmapAggregates || {};
    map._civmapAggregates[batch.layer] = entry;
    // folium may put the group on the map only after its batches are drawn: fill it then.
    if (!group._civmapFills) {
      group._civmapFills = true;
      group.on("add", function () { updateAggregates(map); });
    }
    if (!map._civmapViewWatch) {
      map._civmapViewWatch = true;
      map.on("moveend", function () { updateAggregates(map); });
      map.on("overlayadd overlayremove", function () { updateAggregates(map); });
    }
    updateAggregates(map);
  }

  function updateAggregates(map) {
    var zoom = map.getZoom();
    var bounds = map.getBounds().pad(0.3);
    var wanted = [];
    Object.keys(map._civmapAggregates || {}).forEach(function (name) {
      var entry = map._civmapAggregates[name];
      var batch = entry.batch;
      if (!map.hasLayer(entry.group)) return;
      entry.cells.clearLayers();
      if (zoom >= batch.detailZoom) {
        wanted.push(name);
        return;
      }
      entry.detail.clearLayers();
      var levels = Object.keys(batch.cells).map(Number);
      var level = Math.max(Math.min.apply(null, levels), Math.min(Math.floor(zoom), batch.detailZoom - 1));
      (batch.cells[String(level)] || []).forEach(function (cell) {
        if (!bounds.contains([cell[0], cell[1]])) return;
        var marker = L.marker([cell[0], cell[1]], { icon: cellIcon(cell, batch), keyboard: false });
        // A cell opens onto its features: a click zooms in towards the detail.
        marker.on("click", function () {
          map.setView([cell[0], cell[1]], Math.min(Math.floor(zoom) + 2, batch.detailZoom));
        });
        entry.cells.addLayer(marker);
      });
      document.documentElement.setAttribute("data-civmap-cells-" + name, String(level));
    });
    if (wanted.length) askDetail(map, wanted);
  }

  function askDetail(map, layers) {
    var b = map.getBounds().pad(0.3);
    var r = function (x) { return Math.round(x * 10000) / 10000; };
    var view = { bounds: [r(b.getSouth()), r(b.getWest()), r(b.getNorth()), r(b.getEast())],
                 zoom: Math.floor(map.getZoom()), layers: layers };
    // The detail already drawn covers this view: nothing to ask.
    if (map._civmapDetailBounds && map._civmapDetailBounds.contains(map.getBounds()) &&
        map._civmapDetailLayers === layers.join(",")) return;
    map._civmapViewKey = JSON.stringify(view);
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ civmapView: view }, "*");
    }
  }

  function drawDetail(map, detail) {
    if (!detail || detail.key !== map._civmapViewKey) return;  // an answer to an older view
    var view = JSON.parse(detail.key);
    var counts = [];
    (detail.batches || []).forEach(function (batch) {
      var entry = (map._civmapAggregates || {})[batch.layer];
      if (!entry) return;
      entry.detail.clearLayers();
      map._civmapIndex = map._civmapIndex || {};
      map._civmapIndex[batch.layer] = {};
      map._civmapScaled = map._civmapScaled.filter(function (layer) { return map.hasLayer(layer); });
      counts.push(batch.layer + ":" + drawRows(map, entry.detail, batch));
    });
    map._civmapDetailBounds = L.latLngBounds([view.bounds[0], view.bounds[1]], [view.bounds[2], view.bounds[3]]);
    map._civmapDetailLayers = view.layers.join(",");
    // For tests and benchmarks: which layers' single features the view shows, and how many.
    document.documentElement.setAttribute("data-civmap-detail", counts.join(","));
    if (window.civmapPendingFocus && focusFeature(map, window.civmapPendingFocus)) {
      window.civmapPendingFocus = null;
    }
  }

  window.addEventListener("message", function (event) {
    var detail = event.data && event.data.civmapDetail;
    if (detail && window.civmapMap) drawDetail(window.civmapMap, detail);
  });
})();
