// The slippy map of /zonas, a progressive enhancement: the page carries it
// (and Leaflet) only when a tile server is configured. It takes the SVG
// map's place with a Leaflet map over those tiles, drawing the same layers
// from the OGC API for the area in view, styled and keyed as the SVG map
// (the page gives the legend), each feature a link to its page in a popup.
// Without JavaScript, or when anything here fails, the SVG map stays.
(function () {
	"use strict";
	var config = document.getElementById("slippy-config");
	var figure = document.querySelector("figure.zonemap");
	if (!config || !figure || !window.L) {
		return;
	}
	var cfg = JSON.parse(config.textContent);
	var symbols = {};
	cfg.legend.forEach(function (s) { symbols[s.key] = s; });
	var unclassified = {fill: "#757575", "fill-opacity": ".12", stroke: "#757575"};

	// pathStyle turns a symbol's SVG presentation attributes into Leaflet's
	// path options (SVG's defaults where an attribute is missing).
	function pathStyle(st) {
		return {
			fill: !!st.fill, fillColor: st.fill, fillOpacity: st.fill ? +(st["fill-opacity"] || 1) : 0,
			color: st.stroke, weight: +(st["stroke-width"] || 1), dashArray: st["stroke-dasharray"] || null
		};
	}

	function styleOf(layer, props) {
		if (layer !== "production-areas") {
			return pathStyle(symbols[layer].style);
		}
		var closed = props.status === "closed";
		var s = closed ? symbols.closed : symbols["class-" + (props["class"] || "")];
		var style = pathStyle(s ? s.style : unclassified);
		if (closed) {
			style.className = "closed"; // today's closed areas, as on the SVG map
		}
		return style;
	}

	// popup is a link to the feature's page: its code and holder or name.
	function popup(slug, props) {
		var a = document.createElement("a");
		a.href = "/zonas/" + slug + "/" + encodeURIComponent(props.code);
		var label = props.holder || props.name;
		a.textContent = props.code + (label ? " – " + label : "");
		return a;
	}

	// escapeHTML makes the configured attribution plain text in Leaflet's HTML.
	function escapeHTML(s) {
		return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
	}

	// legend is the SVG map's key as a map control.
	function legend() {
		var div = L.DomUtil.create("div", "slippy-legend");
		var title = document.createElement("p");
		title.textContent = cfg.labels.legend;
		var ul = document.createElement("ul");
		cfg.legend.forEach(function (s) {
			var ns = "http://www.w3.org/2000/svg";
			var svg = document.createElementNS(ns, "svg");
			svg.setAttribute("width", "20");
			svg.setAttribute("height", "14");
			svg.setAttribute("aria-hidden", "true");
			var shape = document.createElementNS(ns, s.point ? "circle" : "rect");
			var geometry = s.point ? {cx: 10, cy: 7, r: 5} : {x: 1, y: 1, width: 18, height: 12};
			Object.keys(geometry).forEach(function (k) { shape.setAttribute(k, geometry[k]); });
			Object.keys(s.style).forEach(function (k) { shape.setAttribute(k, s.style[k]); });
			svg.appendChild(shape);
			var li = document.createElement("li");
			li.appendChild(svg);
			li.appendChild(document.createTextNode(" " + s.label));
			ul.appendChild(li);
		});
		div.appendChild(title);
		div.appendChild(ul);
		return div;
	}

	// The map is laid out once its style sheets are in.
	Promise.all(cfg.css.map(function (href) {
		return new Promise(function (resolve, reject) {
			var css = document.createElement("link");
			css.rel = "stylesheet";
			css.href = href;
			css.onload = resolve;
			css.onerror = reject;
			document.head.appendChild(css);
		});
	})).then(start, function (e) { console.error("zones map: style sheets", e); });

	function start() {
		var holder = document.createElement("div");
		holder.className = "slippy";
		holder.setAttribute("role", "region");
		holder.setAttribute("aria-label", cfg.labels.map);
		figure.insertBefore(holder, figure.firstChild);
		figure.classList.add("has-slippy");
		var map;
		try {
			map = L.map(holder, {zoomSnap: 0.25});
			L.tileLayer(cfg.tiles, {attribution: escapeHTML(cfg.attribution), maxZoom: 18}).addTo(map);
			var control = L.control({position: "bottomleft"});
			control.onAdd = legend;
			control.addTo(map);
			map.fitBounds([[cfg.view[1], cfg.view[0]], [cfg.view[3], cfg.view[2]]]);
		} catch (e) {
			figure.classList.remove("has-slippy");
			figure.removeChild(holder);
			throw e;
		}
		// One pane per layer keeps the SVG map's order (bottom first) when a
		// layer is drawn anew after the others.
		var layers = cfg.layers.map(function (l, i) {
			var pane = "zones-" + l.id;
			map.createPane(pane).style.zIndex = 400 + i;
			var group = L.geoJSON(null, {
				pane: pane,
				style: function (f) { return styleOf(l.id, f.properties || {}); },
				pointToLayer: function (f, at) {
					return L.circleMarker(at, Object.assign({radius: 5, pane: pane}, styleOf(l.id, f.properties || {})));
				},
				onEachFeature: function (f, layer) { layer.bindPopup(popup(l.slug, f.properties || {})); }
			}).addTo(map);
			return {layer: l, group: group};
		});

		var loading = null;
		// load draws each layer's features in view (at most cfg.limit each).
		function load() {
			if (loading) {
				loading.abort();
			}
			loading = new AbortController();
			var signal = loading.signal;
			var b = map.getBounds();
			var bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)]
				.map(function (v) { return v.toFixed(5); }).join(",");
			layers.forEach(function (l) {
				fetch(cfg.items.replace("{id}", encodeURIComponent(l.layer.id)) + "?limit=" + cfg.limit + "&bbox=" + bbox,
					{signal: signal, headers: {Accept: "application/geo+json"}})
					.then(function (r) {
						if (!r.ok) {
							throw new Error(r.status + " " + r.url);
						}
						return r.json();
					})
					.then(function (fc) {
						l.group.clearLayers();
						l.group.addData(fc);
					})
					.catch(function (e) {
						if (e.name !== "AbortError") {
							console.error("zones map:", e);
						}
					});
			});
		}
		map.on("moveend", load);
		load();
	}
})();
