// The KV timeline: draws the checked history in DATA (the JSON of timeline_html.cc) on one time
// axis shared by every key, with the faults in a lane of their own above it.
//
// - One view [v0, v1] of virtual time (or history lines) for the whole page: zooming or panning
//   redraws every drawn key at once, so an operation on one key lines up with the same instant on
//   another and with the faults.
// - A failing run opens zoomed on the operations the checker's explanation names (the first
//   operation that cannot be placed, those that could not be placed next, and the write the
//   prefix ended with), at a scale where their values can be read.
// - Keys that failed are drawn first and open; every other key is one closed line, drawn (in the
//   same view) when opened.
// - Labels never overprint: an operation's label gets the room up to the next operation of its
//   lane and is cut (…) or left out when that is too short; a fault's label goes in the first row
//   of the fault lane where it fits, or only in its tooltip. Every element has a tooltip with the
//   exact times.
// When a render is done, <body> carries data-rendered (operation bars drawn) and data-view
// ("v0 v1"), and each drawn svg carries data-v0 / data-v1: the browser test reads them.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, parent, text) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, attrs, parent, text) {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function verdictClass(v) { return "verdict-" + v.split(" ")[0]; }
  function clientName(c) { return DATA.clientLabels[String(c)] || "client " + c; }
  function operations(n) { return n + (n === 1 ? " operation" : " operations"); }
  // "3 keys", "1 register": what the checker checks one at a time.
  function units(n) {
    return n + " " + (DATA.model === "kv" ? "key" : "register") + (n === 1 ? "" : "s");
  }

  // ---- Layout constants (px). The lane gutter holds the client names.
  const LEFT = 118, RIGHT_PAD = 12, LANE = 20, BAR = 15, FAULT_ROW = 14, FAULT_ROWS = 4;
  const OVERVIEW = 14, AXIS = 18, MIN_BAR = 2, OVERFLOW_ROW = 6;

  // ---- Time: nanoseconds of virtual time, or history line numbers.
  function formatTime(t, decimals) {
    if (DATA.timesAreLines) return "line " + Math.round(t);
    return (t / 1e9).toFixed(decimals === undefined ? 6 : decimals) + "s";
  }
  function formatSpan(d) {
    if (DATA.timesAreLines) return Math.round(d) + " lines";
    if (d >= 1e9) return (d / 1e9).toFixed(d >= 1e10 ? 1 : 2) + " s";
    if (d >= 1e6) return (d / 1e6).toFixed(d >= 1e8 ? 0 : 1) + " ms";
    return (d / 1e3).toFixed(1) + " µs";
  }

  // ---- What the history spans, and each operation's extent on it.
  let T0 = Infinity, T1 = -Infinity;
  DATA.partitions.forEach(function (p) {
    p.ops.forEach(function (op) {
      T0 = Math.min(T0, op.call);
      T1 = Math.max(T1, op.shownRet === null ? op.call : op.shownRet);
    });
  });
  DATA.annotations.forEach(function (a) { T0 = Math.min(T0, a.t0); T1 = Math.max(T1, a.t1); });
  if (!isFinite(T0)) { T0 = 0; T1 = 1; }
  if (T1 <= T0) T1 = T0 + 1;
  // An operation's bar runs from its call to its return, or (outcome unknown) to when the client
  // gave up on it; a thin tail then runs to the end: it may still take effect at any time.
  function barEnd(op) {
    return op.shownRet === null ? T1 : Math.max(op.shownRet, op.call);
  }

  // ---- The view, shared by every drawn svg.
  let v0 = T0, v1 = T1;
  let plotWidth = 800;
  function x(t) { return LEFT + (t - v0) / (v1 - v0) * plotWidth; }
  function timeAt(px) { return v0 + (px - LEFT) / plotWidth * (v1 - v0); }
  function setView(a, b) {
    const minSpan = DATA.timesAreLines ? 4 : 1000;  // 1 µs
    let span = Math.max(b - a, minSpan);
    const full = (T1 - T0) * 1.02;
    if (span > full) span = full;
    let mid = (a + b) / 2;
    const lo = T0 - (T1 - T0) * 0.01, hi = T1 + (T1 - T0) * 0.01;
    mid = Math.min(Math.max(mid, lo + span / 2), hi - span / 2);
    v0 = mid - span / 2;
    v1 = mid + span / 2;
    redraw();
  }
  function zoom(factor, around) {
    const c = around === undefined ? (v0 + v1) / 2 : around;
    setView(c - (c - v0) * factor, c + (v1 - c) * factor);
  }
  function pan(dt) { setView(v0 + dt, v1 + dt); }

  // ---- Text width: every label is 11 px (10 px for faults) monospace; measured once.
  let charWidth = 6.7, faultCharWidth = 6.1;
  (function measure() {
    const probe = el("svg", {"class": "tl", "width": 10, "height": 10,
                             "style": "position:absolute;visibility:hidden"}, document.body);
    const t = el("text", {"x": 0, "y": 10}, probe, "0123456789012345678901234567890123456789");
    const w = t.getComputedTextLength();
    if (w > 0) charWidth = w / 40;
    t.setAttribute("class", "fault-label");
    const f = t.getComputedTextLength();
    if (f > 0) faultCharWidth = f / 40;
    document.body.removeChild(probe);
  })();
  // `text` cut to `room` px: whole, cut with "…", or "" when not even three characters fit.
  function fitText(text, room, cw) {
    const chars = Math.floor(room / cw);
    if (chars >= text.length) return text;
    if (chars < 3) return "";
    return text.slice(0, chars - 1) + "…";
  }

  // ---- Faults and events: kinds by their first word, for colour.
  function faultKind(a) {
    const w = a.label.split(/[\s:]/)[0];
    if (w === "partition" || w === "isolated") return "partition";
    if (w === "crash" || w === "stall") return "crash";
    if (w === "restart" || w === "join") return "restart";
    if (w === "violation") return "violation";
    return "other";
  }
  const FAULT_COLOUR = {partition: "#5c6bc0", crash: "#d32f2f", restart: "#2e7d32",
                        violation: "#8b0000", other: "#6d6d6d"};
  const FAULT_FILL = {partition: "rgba(92,107,192,.16)", crash: "rgba(211,47,47,.5)",
                      restart: "rgba(46,125,50,.5)", violation: "rgba(139,0,0,.7)",
                      other: "rgba(110,110,110,.4)"};
  function faultTip(a) { return a.label + " @ " + a.when; }

  // ---- The page around the timeline.
  const failing = [];  // partitions that are not linearizable (or unknown), in order
  DATA.partitions.forEach(function (p, pi) {
    if (p.checked && p.verdict !== "linearizable") failing.push(pi);
  });
  document.getElementById("title").textContent = DATA.title;
  if (DATA.failure) {
    const failure = document.getElementById("failure");
    failure.textContent = "Run failed: " + DATA.failure;
    failure.hidden = false;
  }
  const summary = document.getElementById("summary");
  html("strong", {"class": verdictClass(DATA.verdict)}, summary, DATA.verdict);
  summary.appendChild(document.createTextNode(
      " — model " + DATA.model + ", " + units(DATA.partitions.length) + ", times " +
      (DATA.timesAreLines ? "are history line numbers" : "are virtual time")));
  const report = document.getElementById("report");
  report.textContent = DATA.report;
  if (!DATA.report) document.getElementById("explanation").hidden = true;

  // ---- Where the page opens: on what the explanation names, else a violation, else everything.
  function focusRange() {
    if (failing.length) {
      const part = DATA.partitions[failing[0]];
      const named = part.ops.filter(function (op) {
        return op.first || op.stuck !== undefined;
      });
      if (named.length) {
        let a = Infinity, b = -Infinity;
        named.forEach(function (op) {
          a = Math.min(a, op.call);
          b = Math.max(b, op.shownRet === null ? op.call : op.shownRet);
        });
        // The write the prefix ended with, when it is near enough not to shrink the rest.
        const durations = part.ops.filter(function (op) { return op.ret !== null; })
                              .map(function (op) { return op.ret - op.call; })
                              .sort(function (p, q) { return p - q; });
        const typical = durations.length ? durations[durations.length >> 1] : (b - a);
        part.ops.forEach(function (op) {
          if (!op.wrote) return;
          const a2 = Math.min(a, op.call), b2 = Math.max(b, barEnd(op));
          if (b2 - a2 <= Math.max(3 * (b - a), 40 * typical)) { a = a2; b = b2; }
        });
        // Some room around them, for what came just before and after.
        const span = Math.max(b - a, 8 * typical) * 1.5, mid = (a + b) / 2;
        return [mid - span / 2, mid + span / 2];
      }
    }
    const violation = DATA.annotations.find(function (a) { return faultKind(a) === "violation"; });
    if (violation) {
      const span = (T1 - T0) / 20;
      return [violation.t0 - span * 0.8, violation.t0 + span * 0.2];
    }
    return null;
  }
  const focus = focusRange();
  const focusButton = document.getElementById("focus");
  if (focus) focusButton.hidden = false;

  // ---- The ruler above all keys: overview of the whole run, the fault lane, the axis.
  const ruler = document.getElementById("ruler");
  function niceStep(span, maxTicks) {
    const raw = span / Math.max(maxTicks, 1);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    let step = 10 * p;
    for (const m of [5, 2, 1]) if (m * p >= raw) step = m * p;
    return DATA.timesAreLines ? Math.max(1, Math.round(step)) : step;
  }
  function ticks() {
    const step = niceStep(v1 - v0, Math.floor(plotWidth / 110));
    const decimals = DATA.timesAreLines ? 0 : Math.max(0, Math.ceil(-Math.log10(step / 1e9) - 1e-9));
    const out = [];
    for (let k = Math.ceil(v0 / step); k * step <= v1; k++) out.push(k * step);
    return {times: out, decimals: decimals};
  }
  function drawRuler() {
    ruler.textContent = "";
    const width = LEFT + plotWidth + RIGHT_PAD;
    // Overview: the whole run, its faults, the red operation, and the window now shown.
    const ox = function (t) { return LEFT + (t - T0) / (T1 - T0) * plotWidth; };
    const ov = el("g", {"class": "overview"}, ruler);
    el("rect", {"x": LEFT, "y": 1, "width": plotWidth, "height": OVERVIEW - 2, "fill": "#f3f3f3",
                "stroke": "#ccc"}, ov);
    el("text", {"x": 4, "y": OVERVIEW - 3, "class": "lane"}, ov, "whole run");
    DATA.annotations.forEach(function (a) {
      const k = faultKind(a);
      el("rect", {"x": ox(a.t0), "y": 2, "width": Math.max(ox(a.t1) - ox(a.t0), 1),
                  "height": OVERVIEW - 4, "fill": FAULT_FILL[k]}, ov);
    });
    failing.forEach(function (pi) {
      DATA.partitions[pi].ops.forEach(function (op) {
        if (op.first) el("rect", {"x": ox(op.call) - 1, "y": 0, "width": 3, "height": OVERVIEW,
                                  "fill": "#e53935"}, ov);
      });
    });
    el("rect", {"class": "window", "x": ox(Math.max(v0, T0)), "y": 0.5,
                "width": Math.max(ox(Math.min(v1, T1)) - ox(Math.max(v0, T0)), 2),
                "height": OVERVIEW - 1, "fill": "rgba(255,193,7,.25)", "stroke": "#b28704"}, ov);
    el("title", {}, ov, "The whole run (" + formatSpan(T1 - T0) + "); the yellow window is what is " +
       "shown. Click or drag here to move it.");

    // The fault lane: each fault or event in the first row where its label fits.
    const laneTop = OVERVIEW + 4;
    const rowEnds = [];
    const placed = [];
    DATA.annotations.forEach(function (a, ai) {
      if (a.t1 < v0 || a.t0 > v1) return;
      const x0 = Math.max(x(a.t0), LEFT), x1 = Math.min(Math.max(x(a.t1), x0 + 2), LEFT + plotWidth);
      const labelWidth = a.label.length * faultCharWidth + 6;
      let row = -1, labelled = false;
      for (let r = 0; r < FAULT_ROWS && row < 0; r++) {
        if ((rowEnds[r] === undefined || rowEnds[r] < x0) && x0 + labelWidth <= LEFT + plotWidth + RIGHT_PAD) {
          row = r; labelled = true;
        }
      }
      for (let r = 0; r < FAULT_ROWS && row < 0; r++) {
        if (rowEnds[r] === undefined || rowEnds[r] < x0) row = r;
      }
      // No free row: a mark in the thin overflow row under the others, never across a label.
      if (row < 0) { placed.push({a: a, ai: ai, x0: x0, x1: x1, row: -1, labelled: false}); return; }
      rowEnds[row] = Math.max(rowEnds[row] || 0, x1 + 2, labelled ? x0 + labelWidth : 0);
      placed.push({a: a, ai: ai, x0: x0, x1: x1, row: row, labelled: labelled});
    });
    const rows = Math.max(1, Math.min(FAULT_ROWS, rowEnds.length));
    const overflow = placed.some(function (p) { return p.row < 0; }) ? OVERFLOW_ROW : 0;
    function rowTop(row) { return row < 0 ? laneTop + rows * FAULT_ROW : laneTop + row * FAULT_ROW; }
    el("text", {"x": 4, "y": laneTop + 11, "class": "lane"}, ruler, "faults, events");
    // Bands first, labels over them: a band that found no free row never hides a label.
    placed.forEach(function (p) {
      const k = faultKind(p.a);
      const g = el("g", {"class": "fault fault-" + k, "data-annotation": p.ai}, ruler);
      el("rect", {"x": p.x0, "y": rowTop(p.row) + 1, "width": Math.max(p.x1 - p.x0, 2),
                  "height": (p.row < 0 ? OVERFLOW_ROW : FAULT_ROW) - 2, "fill": FAULT_FILL[k],
                  "stroke": FAULT_COLOUR[k],
                  "stroke-width": 0.5}, g);
      el("title", {}, g, faultTip(p.a));
    });
    placed.forEach(function (p) {
      if (!p.labelled) return;
      const k = faultKind(p.a);
      const t = el("text", {"x": p.x0 + 3, "y": rowTop(p.row) + 11,
                            "fill": FAULT_COLOUR[k], "class": "fault-label",
                            "data-annotation": p.ai}, ruler, p.a.label);
      el("title", {}, t, faultTip(p.a));
    });
    // The axis.
    const axisTop = laneTop + rows * FAULT_ROW + overflow + 2;
    const tk = ticks();
    el("line", {"x1": LEFT, "x2": LEFT + plotWidth, "y1": axisTop, "y2": axisTop, "stroke": "#888"},
       ruler);
    tk.times.forEach(function (t) {
      const tx = x(t);
      el("line", {"x1": tx, "x2": tx, "y1": axisTop, "y2": axisTop + 4, "stroke": "#888"}, ruler);
      const label = formatTime(t, tk.decimals);
      // The last label stays inside the svg.
      const lx = Math.min(tx - label.length * charWidth * 10 / 22, LEFT + plotWidth + RIGHT_PAD -
                          label.length * charWidth * 10 / 11);
      el("text", {"x": lx, "y": axisTop + 15, "class": "tick", "data-t": t}, ruler, label);
    });
    const height = axisTop + AXIS;
    ruler.setAttribute("width", width);
    ruler.setAttribute("height", height);
    ruler.setAttribute("data-v0", v0);
    ruler.setAttribute("data-v1", v1);
    document.getElementById("view-span").textContent =
        formatTime(v0, tk.decimals) + " – " + formatTime(v1, tk.decimals) + "  (" +
        formatSpan(v1 - v0) + " of " + formatSpan(T1 - T0) + ")";
    return tk;
  }

  // ---- One key's lanes.
  function lanesOf(part) {
    if (part.lanes) return part.lanes;
    const clients = [];
    part.ops.forEach(function (op) { if (clients.indexOf(op.client) < 0) clients.push(op.client); });
    clients.sort(function (a, b) { return a - b; });
    // Each operation's label may use the lane up to the next operation's call.
    const byLane = clients.map(function () { return []; });
    part.ops.forEach(function (op) { byLane[clients.indexOf(op.client)].push(op); });
    byLane.forEach(function (ops) {
      ops.sort(function (a, b) { return a.call - b.call; });
      ops.forEach(function (op, i) {
        op.lane = clients.indexOf(op.client);
        op.next = i + 1 < ops.length ? ops[i + 1].call : Infinity;
      });
    });
    part.lanes = clients;
    return clients;
  }
  function opTip(op) {
    return op.desc + "\n" + clientName(op.client) + ", " + op.when + "\nstatus " + op.status +
           (op.order > 0 ? "\nlinearization position #" + op.order : "") +
           (op.first ? "\nthe first operation that cannot be placed" : "") +
           (op.stuck !== undefined ? "\ncannot be placed next: " + op.stuck : "") +
           (op.wrote ? "\nwrote the value the key holds after the longest linearizable prefix" : "");
  }
  let rendered = 0;
  function drawPartition(part, svg, tk, pi) {
    svg.textContent = "";
    const clients = lanesOf(part);
    const height = clients.length * LANE + 4;
    const width = LEFT + plotWidth + RIGHT_PAD;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("data-v0", v0);
    svg.setAttribute("data-v1", v1);
    const clipId = "plot-" + pi;
    const defs = el("defs", {}, svg);
    const clip = el("clipPath", {"id": clipId}, defs);
    el("rect", {"x": LEFT, "y": 0, "width": plotWidth + RIGHT_PAD, "height": height}, clip);
    const plot = el("g", {"clip-path": "url(#" + clipId + ")"}, svg);
    // Grid at the axis ticks, the faults as light bands (hover: which), the lanes.
    tk.times.forEach(function (t) {
      el("line", {"x1": x(t), "x2": x(t), "y1": 0, "y2": height, "stroke": "#f0f0f0"}, plot);
    });
    DATA.annotations.forEach(function (a) {
      if (a.t1 < v0 || a.t0 > v1) return;
      const k = faultKind(a);
      const g = el("g", {"class": "band"}, plot);
      if (a.t1 > a.t0) {
        el("rect", {"x": x(a.t0), "y": 0, "width": Math.max(x(a.t1) - x(a.t0), 1), "height": height,
                    "fill": k === "partition" ? "rgba(92,107,192,.10)" : FAULT_FILL[k]}, g);
      } else {
        el("line", {"x1": x(a.t0), "x2": x(a.t0), "y1": 0, "y2": height, "stroke": FAULT_COLOUR[k],
                    "stroke-opacity": k === "violation" ? 0.8 : 0.35,
                    "stroke-dasharray": k === "violation" ? "4 2" : "none"}, g);
      }
      el("title", {}, g, faultTip(a));
    });
    clients.forEach(function (c, i) {
      const y = i * LANE;
      el("line", {"x1": LEFT, "x2": LEFT + plotWidth, "y1": y + LANE, "y2": y + LANE,
                  "stroke": "#eee"}, svg);
      el("text", {"x": 4, "y": y + 14, "class": "lane"}, svg, fitText(clientName(c), LEFT - 8, charWidth));
    });
    // The operations in view.
    part.ops.forEach(function (op) {
      const end = barEnd(op);
      const tailEnd = op.ret === null ? T1 : end;
      if (tailEnd < v0 || op.call > v1) return;
      const y = op.lane * LANE + (LANE - BAR) / 2;
      const x0 = x(op.call), x1 = Math.max(x(end), x0 + MIN_BAR);
      let cls = "op", fill = op.order > 0 ? "#a5d6a7" : "#e0e0e0", stroke = "#777", sw = 1;
      if (op.status === "info") fill = op.order > 0 ? "#c5e1a5" : "#ffe0a0";
      if (op.status === "fail") cls += " failed";
      if (op.wrote) { cls += " wrote"; stroke = "#1565c0"; sw = 2.5; }
      if (op.stuck !== undefined) { cls += " stuck"; stroke = "#e65100"; sw = 2.5; }
      if (op.first) { cls += " first-unplaceable"; fill = "#ef9a9a"; stroke = "#b71c1c"; sw = 3; }
      const g = el("g", {"class": cls, "data-op": op.id, "data-order": op.order}, plot);
      el("rect", {"x": x0, "y": y, "width": x1 - x0, "height": BAR, "rx": 3, "fill": fill,
                  "stroke": stroke, "stroke-width": sw,
                  "stroke-dasharray": op.status === "info" ? "4 2" : "none"}, g);
      if (op.ret === null && end < T1) {
        el("line", {"class": "tail", "x1": x1, "x2": x(T1), "y1": y + BAR + 1.5, "y2": y + BAR + 1.5,
                    "stroke": "#c9a227", "stroke-dasharray": "2 3"}, g);
      }
      const label = (op.order > 0 ? "#" + op.order + " " : "") + op.short;
      const start = Math.max(x0, LEFT) + 3;
      const room = Math.min(x(op.next), LEFT + plotWidth + RIGHT_PAD) - start - 4;
      const shown = fitText(label, room, charWidth);
      if (shown) el("text", {"x": start, "y": y + 11}, g, shown);
      el("title", {}, g, opTip(op));
      rendered++;
    });
  }

  // ---- Sections: the failing keys (or the busiest, when none fails) drawn, the rest one line
  // each, drawn in the same view when opened.
  const container = document.getElementById("partitions");
  const others = document.getElementById("others");
  const drawnSvgs = [];  // [partition index, svg]
  let example = -1;
  if (!failing.length) {
    DATA.partitions.forEach(function (p, pi) {
      if (example < 0 || p.ops.length > DATA.partitions[example].ops.length) example = pi;
    });
  }
  function isOpen(pi) { return failing.indexOf(pi) >= 0 || pi === example; }
  function orderList(part, parent) {
    const ordered = part.ops.filter(function (op) { return op.order > 0; });
    ordered.sort(function (a, b) { return a.order - b.order; });
    if (!ordered.length) return;
    const d = html("details", {"class": "order"}, parent);
    html("summary", {}, d, (part.verdict === "linearizable" ? "Linearization order" :
                            "Longest linearizable prefix") + " (" + operations(ordered.length) + ")" +
                           (part.stateAfter ? "; then " + part.stateAfter : ""));
    const ol = html("ol", {"class": "order"}, d);
    ordered.forEach(function (op) { html("li", {}, ol, op.desc + " (" + clientName(op.client) + ")"); });
  }
  function addSvg(pi, parent) {
    const svg = el("svg", {"class": "tl lanes"}, parent);
    drawnSvgs.push([pi, svg]);
    return svg;
  }
  DATA.partitions.forEach(function (part, pi) {
    if (!isOpen(pi)) return;
    const section = html("section", {"class": "partition", "id": "partition-" + pi}, container);
    const h = html("h2", {}, section, part.name + " — ");
    html("span", {"class": verdictClass(part.verdict)}, h, part.verdict);
    h.appendChild(document.createTextNode(" (" + operations(part.ops.length) + ")"));
    addSvg(pi, section);
    orderList(part, section);
  });
  const closed = DATA.partitions.filter(function (p, pi) { return !isOpen(pi); }).length;
  if (closed) {
    html("p", {"class": "note"}, others,
         units(DATA.partitions.length) + ", " + failing.length + " not linearizable" +
         (failing.length ? " (drawn above)" : "; the busiest, " +
          DATA.partitions[example].name + ", is drawn") +
         ". The other " + units(closed) + ": open one to draw it on the same axis.");
  }
  DATA.partitions.forEach(function (part, pi) {
    if (isOpen(pi)) return;
    const d = html("details", {"class": "partition", "id": "partition-" + pi}, others);
    const s = html("summary", {}, d, part.name + " — ");
    html("span", {"class": verdictClass(part.verdict)}, s, part.verdict);
    s.appendChild(document.createTextNode(" (" + operations(part.ops.length) + ")"));
    d.addEventListener("toggle", function () {
      if (!d.open || d.getAttribute("data-drawn")) return;
      d.setAttribute("data-drawn", "1");
      const svg = addSvg(pi, d);
      orderList(part, d);
      const tk = ticks();
      drawPartition(part, svg, tk, pi);
      document.body.setAttribute("data-rendered", String(rendered));
    });
  });

  // ---- Legend.
  const legend = document.getElementById("legend");
  [["#a5d6a7", "#777", "linearized (#k = its place in the order)"],
   ["#e0e0e0", "#777", "failed, or not placed"],
   ["#ffe0a0", "#777", "outcome unknown (dotted tail: may take effect later)"],
   ["#fff", "#1565c0", "wrote the value the key holds after the longest linearizable prefix"],
   ["#fff", "#e65100", "could not be placed next"],
   ["#ef9a9a", "#b71c1c", "the first operation that cannot be placed"],
   [FAULT_FILL.partition, FAULT_COLOUR.partition, "partition"],
   [FAULT_FILL.crash, FAULT_COLOUR.crash, "crash"],
   [FAULT_FILL.restart, FAULT_COLOUR.restart, "restart"],
   [FAULT_FILL.violation, FAULT_COLOUR.violation, "violation seen during the run"]]
      .forEach(function (s) {
        const span = html("span", {}, legend);
        html("i", {"class": "swatch", "style": "background:" + s[0] + ";border:2px solid " + s[1]},
             span);
        span.appendChild(document.createTextNode(s[2]));
      });

  // ---- Drawing everything in the current view.
  function redraw() {
    plotWidth = Math.max(300, document.getElementById("timeline").clientWidth - LEFT - RIGHT_PAD);
    rendered = 0;
    const tk = drawRuler();
    drawnSvgs.forEach(function (d) { drawPartition(DATA.partitions[d[0]], d[1], tk, d[0]); });
    document.body.setAttribute("data-rendered", String(rendered));
    document.body.setAttribute("data-view", v0 + " " + v1);
  }

  // ---- Controls.
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(0.5); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(2); });
  document.getElementById("fit").addEventListener("click", function () { setView(T0, T1); });
  focusButton.addEventListener("click", function () { if (focus) setView(focus[0], focus[1]); });
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "INPUT" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "+" || e.key === "=") zoom(0.5);
    else if (e.key === "-" || e.key === "_") zoom(2);
    else if (e.key === "0") setView(T0, T1);
    else if (e.key === "v" && focus) setView(focus[0], focus[1]);
    else if (e.key === "ArrowLeft") pan(-(v1 - v0) / 4);
    else if (e.key === "ArrowRight") pan((v1 - v0) / 4);
    else return;
    e.preventDefault();
  });
  const timeline = document.getElementById("timeline");
  // Ctrl (or Alt, or ⌘) + wheel zooms around the pointer; a sideways wheel (or Shift + wheel)
  // pans; a plain wheel scrolls the page as everywhere else.
  timeline.addEventListener("wheel", function (e) {
    const svg = e.target.closest && e.target.closest("svg.tl");
    if (!svg) return;
    const px = e.clientX - svg.getBoundingClientRect().left;
    if (e.ctrlKey || e.altKey || e.metaKey) {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, px >= LEFT ? timeAt(px) : undefined);
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      const d = e.shiftKey ? e.deltaY : e.deltaX;
      pan(d / plotWidth * (v1 - v0));
    }
  }, {passive: false});
  // Drag to pan; on the overview, click or drag moves the window there.
  let drag = null;
  timeline.addEventListener("mousedown", function (e) {
    const svg = e.target.closest && e.target.closest("svg.tl");
    if (!svg || e.button !== 0) return;
    const px = e.clientX - svg.getBoundingClientRect().left;
    const py = e.clientY - svg.getBoundingClientRect().top;
    const onOverview = svg === ruler && py <= OVERVIEW;
    drag = {x: e.clientX, v0: v0, v1: v1, overview: onOverview, svg: svg};
    if (onOverview) {
      const t = T0 + (px - LEFT) / plotWidth * (T1 - T0);
      setView(t - (v1 - v0) / 2, t + (v1 - v0) / 2);
    }
    e.preventDefault();
  });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (drag.overview) {
      const px = e.clientX - drag.svg.getBoundingClientRect().left;
      const t = T0 + (px - LEFT) / plotWidth * (T1 - T0);
      setView(t - (v1 - v0) / 2, t + (v1 - v0) / 2);
    } else {
      const dt = -dx / plotWidth * (drag.v1 - drag.v0);
      setView(drag.v0 + dt, drag.v1 + dt);
    }
  });
  window.addEventListener("mouseup", function () { drag = null; });
  let resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(redraw, 100);
  });

  // Open on the violation (drawn synchronously, so a DOM dump sees the first render).
  if (focus) setView(focus[0], focus[1]); else setView(T0, T1);
})();
