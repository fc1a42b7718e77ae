"use strict";
// Timeline Explorer's standalone page. Every string from the data reaches the page
// through textContent (never parsed as markup), and nothing here makes a request.
(function () {
  const data = JSON.parse(document.getElementById("story-data").textContent);
  const YEAR = 31556952, DAY = 86400, HOUR = 3600;
  const PALETTE = ["#3a7bd5", "#d1495b", "#3f9d5a", "#8e5bb5", "#e08e0b", "#00798c", "#b5651d", "#5b6474"];
  const STATUSES = ["confirmed", "reported", "alleged", "disputed", "retracted"];
  const timeline = document.getElementById("timeline");
  const lanesBox = document.getElementById("lanes");
  const axis = document.getElementById("axis");
  const detail = document.getElementById("detail");
  const search = document.getElementById("search");
  const count = document.getElementById("count");

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  document.getElementById("title").textContent = data.title;
  document.getElementById("description").textContent = data.description;
  document.title = data.title;

  const legend = document.getElementById("legend");
  for (const status of STATUSES) {
    const item = el("span");
    const swatch = el("span", "event point " + status);
    swatch.style.position = "static"; swatch.style.margin = "0"; swatch.style.setProperty("--c", "#3a7bd5");
    item.append(swatch, document.createTextNode(status));
    legend.append(item);
  }

  // Events in time order; one lane per actor with events, and one for events naming nobody.
  const events = data.events.slice().sort((a, b) => a.lo - b.lo || a.hi - b.hi);
  events.forEach((e, i) => {
    e.order = i;
    e.text = [e.title, e.summary, e.date, e.status, ...e.actors.map(a => a.name + " " + a.role),
      ...e.sources.map(s => s.title + " " + s.publisher), ...e.themes,
      ...e.figures.map(f => f.text + " " + f.label)].join(" ").toLowerCase();
  });
  const colours = new Map();
  data.actors.forEach((a, i) => colours.set(a.id, /^#[0-9a-f]{3,8}$/i.test(a.colour || "") ? a.colour : PALETTE[i % PALETTE.length]));
  const lanes = [];
  for (const actor of data.actors) {
    const own = events.filter(e => e.actors.some(a => a.id === actor.id));
    if (own.length) lanes.push({ name: actor.name, colour: colours.get(actor.id), events: own });
  }
  const nobody = events.filter(e => e.actors.length === 0);
  if (nobody.length) lanes.push({ name: "No actor", colour: "#5b6474", events: nobody });

  const marks = [];  // {event, node, label, lane}
  const periodNodes = [];
  for (const lane of lanes) {
    const row = el("div", "lane");
    row.append(el("span", "lane-name", lane.name));
    for (const period of data.periods) {
      const band = el("div", "period");
      band.append(el("span", "period-label", period.name));
      band.title = period.name;
      row.append(band);
      periodNodes.push({ period, node: band });
    }
    for (const event of lane.events) {
      const node = el("button", "event " + (event.point ? "point " : "band ") + event.status);
      node.type = "button";
      node.tabIndex = -1;
      node.dataset.id = event.id;
      node.style.setProperty("--c", lane.colour);
      node.setAttribute("aria-label", event.title + ", " + event.date + ", " + event.status);
      node.title = event.title + "\n" + event.date + " · " + event.status;
      const label = el("span", "event-label", event.title);
      row.append(node, label);
      marks.push({ event, node, label, lane, row });
    }
    lane.row = row;
    lanesBox.append(row);
  }

  let visible = events.slice();
  let selected = null;
  const span = events.length ? [events[0].lo, Math.max(...events.map(e => e.hi))] : [0, YEAR];
  const view = { t0: 0, t1: 1 };

  function fit() {
    const pad = Math.max((span[1] - span[0]) * 0.05, DAY);
    view.t0 = span[0] - pad; view.t1 = span[1] + pad;
    render();
  }
  function width() { return Math.max(timeline.clientWidth, 200); }
  function x(t) { return (t - view.t0) / (view.t1 - view.t0) * width(); }
  function timeAt(px) { return view.t0 + px / width() * (view.t1 - view.t0); }

  function zoom(factor, centre) {
    const c = centre !== undefined ? centre : (selected ? (selected.lo + selected.hi) / 2 : (view.t0 + view.t1) / 2);
    const length = Math.min(Math.max((view.t1 - view.t0) * factor, 60), 3e17);
    const f = (c - view.t0) / (view.t1 - view.t0);
    view.t0 = c - f * length; view.t1 = view.t0 + length;
    render();
  }
  function pan(fraction) {
    const d = (view.t1 - view.t0) * fraction;
    view.t0 += d; view.t1 += d;
    render();
  }

  // --- axis ----------------------------------------------------------------------
  function yearStart(y) {
    if (Math.abs(y) > 270000) return (y - 1970) * YEAR;
    const d = new Date(0); d.setUTCFullYear(y, 0, 1); d.setUTCHours(0, 0, 0, 0);
    return d.getTime() / 1000;
  }
  function yearOf(t) {
    if (Math.abs(t) > 8e15) return Math.floor(t / YEAR) + 1970;
    return new Date(t * 1000).getUTCFullYear();
  }
  function yearLabel(y) {
    if (y <= -10000) { const ago = 2000 - y; return ago >= 1e9 ? (ago / 1e9).toFixed(1).replace(/\.0$/, "") + " billion years ago" : ago >= 1e6 ? (ago / 1e6).toFixed(1).replace(/\.0$/, "") + " million years ago" : ago.toLocaleString("en") + " years ago"; }
    return y <= 0 ? (1 - y) + " BC" : String(y);
  }
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function ticks() {
    const length = view.t1 - view.t0, want = length / Math.max(width() / 110, 2);
    const out = [];
    if (want >= YEAR * 0.9) {
      const step = [1, 2, 5].flatMap(m => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10].map(p => m * p)).sort((a, b) => a - b).find(s => s * YEAR >= want) || 1e10;
      let y = Math.ceil(yearOf(view.t0) / step) * step;
      for (let n = 0; n < 60; n++, y += step) { const t = yearStart(y); if (t > view.t1) break; out.push([t, yearLabel(y)]); }
    } else if (want >= DAY * 25) {
      const step = [1, 3, 6].find(m => m * 30.4 * DAY >= want) || 6;
      const d = new Date(Math.max(view.t0, -8e12) * 1000); let y = d.getUTCFullYear(), m = Math.floor(d.getUTCMonth() / step) * step;
      for (let n = 0; n < 80; n++) {
        const dd = new Date(0); dd.setUTCFullYear(y, m, 1); dd.setUTCHours(0, 0, 0, 0);
        const t = dd.getTime() / 1000;
        if (t > view.t1) break;
        if (t >= view.t0) out.push([t, m === 0 ? yearLabel(y) : MONTHS[m] + " " + yearLabel(y)]);
        m += step; if (m >= 12) { m -= 12; y += 1; }
      }
    } else {
      const step = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY].find(s => s >= want) || 14 * DAY;
      for (let t = Math.ceil(view.t0 / step) * step, n = 0; t <= view.t1 && n < 120; t += step, n++) {
        const d = new Date(t * 1000);
        const day = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + yearLabel(d.getUTCFullYear());
        out.push([t, step < DAY ? day + " " + String(d.getUTCHours()).padStart(2, "0") + ":00" : day]);
      }
    }
    return out;
  }

  // --- drawing ---------------------------------------------------------------------
  function render() {
    timeline.dataset.t0 = String(view.t0);
    timeline.dataset.t1 = String(view.t1);
    axis.replaceChildren(...ticks().map(([t, text]) => { const tick = el("div", "tick", text); tick.style.left = x(t) + "px"; return tick; }));
    for (const { period, node } of periodNodes) {
      node.style.left = x(period.lo) + "px";
      node.style.width = Math.max(x(period.hi) - x(period.lo), 1) + "px";
    }
    const shown = new Set(visible.map(e => e.id));
    for (const lane of lanes) {
      const rows = [];  // right edge (px) of the last mark in each stacked row
      const placed = [];
      for (const mark of marks.filter(m => m.lane === lane)) {
        const e = mark.event;
        const hidden = !shown.has(e.id);
        mark.node.classList.toggle("hidden", hidden);
        mark.label.hidden = hidden;
        if (hidden) continue;
        const left = e.point ? x((e.lo + e.hi) / 2) : x(e.lo);
        const w = e.point ? 16 : Math.max(x(e.hi) - x(e.lo), 12);
        const start = e.point ? left - 8 : left;
        let r = rows.findIndex(edge => edge < start - 4);
        if (r < 0) { r = rows.length; rows.push(0); }
        rows[r] = start + w;
        placed.push({ mark, left, w, start, r });
      }
      for (const p of placed) {
        p.mark.node.style.left = p.left + "px";
        p.mark.node.style.width = p.mark.event.point ? "" : p.w + "px";
        p.mark.node.style.top = (22 + p.r * 26) + "px";
        p.mark.node.classList.toggle("selected", selected !== null && selected.id === p.mark.event.id);
        const row = placed.filter(q => q.r === p.r && q !== p);
        const next = row.filter(q => q.start > p.start).map(q => q.start).sort((a, b) => a - b)[0];
        const prev = row.filter(q => q.start < p.start).map(q => q.start + q.w).sort((a, b) => b - a)[0];
        const label = p.mark.label;
        const right = p.start + (p.mark.event.point ? 20 : 6);
        const roomRight = Math.min(next === undefined ? Infinity : next, width()) - right - 6;
        const roomLeft = p.start - (prev === undefined ? 0 : prev) - 10;
        label.style.top = (22 + p.r * 26) + "px";
        label.style.overflow = "hidden";
        label.style.textOverflow = "ellipsis";
        // Near the right edge a point's label goes to its left, where there is room.
        const leftSide = p.mark.event.point && roomRight < 160 && roomLeft > roomRight;
        label.style.left = leftSide ? "" : right + "px";
        label.style.right = leftSide ? (width() - p.start + 4) + "px" : "";
        label.style.maxWidth = Math.max(leftSide ? roomLeft : roomRight, 0) + "px";
        label.hidden = (leftSide ? roomLeft : roomRight) < 40;
      }
      lane.row.style.height = (46 + Math.max(rows.length - 1, 0) * 26) + "px";
    }
  }

  // --- the detail pane ---------------------------------------------------------------
  function showDetail(e) {
    detail.replaceChildren();
    if (!e) { detail.append(el("p", "hint", "Select an event (click, or ← → on the timeline) to read it here.")); return; }
    detail.append(el("h2", null, e.title));
    const meta = el("p", "meta");
    meta.append(el("span", "date", e.date), document.createTextNode(" · "), el("span", "status " + e.status, e.status));
    detail.append(meta);
    if (e.summary) detail.append(el("p", "summary", e.summary));
    const section = (title, items) => {
      if (!items.length) return;
      detail.append(el("h3", null, title));
      const list = el("ul");
      for (const item of items) list.append(item);
      detail.append(list);
    };
    section("Actors", e.actors.map(a => el("li", null, a.role ? a.name + " — " + a.role : a.name)));
    section("Figures", e.figures.map(f => {
      const q = f.qualifier ? " (" + f.qualifier + ")" : "";
      const unit = f.unit ? " " + f.unit : "";
      return el("li", null, f.text + unit + q + (f.label ? ": " + f.label : ""));
    }));
    section("Themes", e.themes.map(t => el("li", null, t)));
    section("Sources", e.sources.map(s => {
      const li = el("li");
      const name = [s.publisher, s.title].filter(Boolean).join(": ") || "Untitled source";
      if (/^https?:\/\//i.test(s.url)) {
        const a = el("a", null, name);
        a.href = s.url; a.rel = "noopener noreferrer"; a.target = "_blank";
        li.append(a);
      } else li.append(document.createTextNode(name));
      if (s.published) li.append(document.createTextNode(" (" + s.published + ")"));
      return li;
    }));
  }

  function select(e, reveal) {
    selected = e || null;
    timeline.dataset.selected = selected ? selected.id : "";
    showDetail(selected);
    if (selected && reveal && (selected.hi < view.t0 || selected.lo > view.t1)) {
      const length = view.t1 - view.t0, c = (selected.lo + selected.hi) / 2;
      view.t0 = c - length / 2; view.t1 = c + length / 2;
    }
    render();
    if (selected && reveal) {
      const mark = marks.find(m => m.event === selected);
      if (mark) mark.row.scrollIntoView({ block: "nearest" });
    }
  }
  function step(delta) {
    if (!visible.length) return;
    const at = selected ? visible.indexOf(selected) : -1;
    const next = at < 0 ? (delta > 0 ? 0 : visible.length - 1) : Math.min(Math.max(at + delta, 0), visible.length - 1);
    select(visible[next], true);
  }

  function applySearch() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    visible = events.filter(e => words.every(w => e.text.includes(w)));
    count.textContent = visible.length + " of " + events.length + " events";
    if (selected && !visible.includes(selected)) select(null);
    else render();
  }

  // --- input ---------------------------------------------------------------------------
  marks.forEach(m => m.node.addEventListener("click", ev => { ev.stopPropagation(); select(m.event, false); timeline.focus(); }));
  search.addEventListener("input", applySearch);
  search.addEventListener("keydown", ev => {
    if (ev.key === "Enter" && visible.length) { ev.preventDefault(); select(visible[0], true); timeline.focus(); }
    if (ev.key === "Escape") { ev.preventDefault(); search.value = ""; applySearch(); timeline.focus(); }
  });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("zoom-in").addEventListener("click", () => zoom(1 / 1.6));
  document.getElementById("zoom-out").addEventListener("click", () => zoom(1.6));
  document.addEventListener("keydown", ev => {
    if (ev.target === search || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const keys = {
      ArrowRight: () => ev.shiftKey ? pan(0.1) : step(1),
      ArrowLeft: () => ev.shiftKey ? pan(-0.1) : step(-1),
      PageDown: () => pan(0.8), PageUp: () => pan(-0.8),
      Home: () => select(visible[0], true), End: () => select(visible[visible.length - 1], true),
      "+": () => zoom(1 / 1.6), "=": () => zoom(1 / 1.6), "-": () => zoom(1.6),
      f: fit, F: fit,
      "/": () => search.focus(),
      Escape: () => select(null),
    };
    const action = keys[ev.key];
    if (action) { ev.preventDefault(); action(); }
  });
  timeline.addEventListener("wheel", ev => {
    if (ev.shiftKey) return;  // Shift+wheel scrolls the lanes
    ev.preventDefault();
    const box = timeline.getBoundingClientRect();
    zoom(Math.pow(1.0015, ev.deltaY), timeAt(ev.clientX - box.left));
  }, { passive: false });
  let drag = null;
  timeline.addEventListener("mousedown", ev => {
    if (ev.button !== 0 || ev.target.classList.contains("event")) return;
    drag = { x: ev.clientX, t0: view.t0, t1: view.t1, moved: false };
    timeline.classList.add("dragging");
  });
  window.addEventListener("mousemove", ev => {
    if (!drag) return;
    const dt = (ev.clientX - drag.x) / width() * (drag.t1 - drag.t0);
    if (Math.abs(ev.clientX - drag.x) > 2) drag.moved = true;
    view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt;
    render();
  });
  window.addEventListener("mouseup", () => { if (drag) { timeline.classList.remove("dragging"); if (!drag.moved) select(null); drag = null; } });
  window.addEventListener("resize", render);

  applySearch();
  fit();
  timeline.focus();
})();
