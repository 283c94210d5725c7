/* civmap: draw compact feature batches on a Leaflet canvas.
 *
 * The Python side (civmap/layers.py) sends each layer as arrays, not as one folium
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
 * }
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

  function civmapRenderer(map) {
    if (!map._civmapRenderer) {
      map._civmapRenderer = L.canvas({ padding: 0.5, tolerance: 3 });
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

  window.civmapDraw = function (map, group, batch) {
    var renderer = civmapRenderer(map);
    var factor = zoomFactor(map.getZoom());
    var count = 0;
    batch.rows.forEach(function (row) {
      var style = L.extend({ renderer: renderer }, batch.styles[row[1]]);
      var layer;
      if (batch.kind === "line") {
        layer = L.polyline(row[0], style);
      } else if (batch.kind === "circle") {
        layer = L.circle(row[0], L.extend(style, { radius: batch.circleRadius }));
      } else {
        layer = L.circleMarker(row[0], style);
        layer._civmapBaseRadius = style.radius || 4;
        layer.setRadius(layer._civmapBaseRadius * factor);
        map._civmapScaled.push(layer);
      }
      layer.bindPopup(function () { return popupHtml(batch, row); }, { maxWidth: 360 });
      group.addLayer(layer);
      count += 1;
    });
    map._civmapDrawn = (map._civmapDrawn || 0) + count;
    window.civmapMap = map;  // lets browser tests find features on the canvas
    // For tests and benchmarks: the number of features drawn so far.
    document.documentElement.setAttribute("data-civmap-drawn", String(map._civmapDrawn));
  };
})();
