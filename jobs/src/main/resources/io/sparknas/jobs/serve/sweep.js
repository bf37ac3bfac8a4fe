// The live sweep page: polls /api/sweep and redraws when its version changes (a row committed, a budget extended).
"use strict";
const BEST = "#1f77b4", FRONT = "#d62728", POINTS = "#999999";
const COLUMNS = [
  ["id", "candidate", "text"], ["status", "status", "text"], ["origin", "origin", "text"],
  ["accuracy", "accuracy", 4], ["test_accuracy", "test accuracy", 4], ["params", "params", 0],
  ["flops", "FLOPs", 0], ["latency_ms_b1", "latency ms", 3], ["epochs", "epochs", 0], ["seconds", "seconds", 1],
  ["key", "key", "text"]];
const COST_NAMES = {flops: "FLOPs", params: "parameters", latency_ms_b1: "latency (ms, table)",
  latency_ms_timed: "latency (ms, timed)"};
let state = {version: null, data: null, sort: {key: "end", desc: false}, charts: {}, cost: null};

function fmt(v, digits) {
  if (v === null || v === undefined) return "–";
  if (digits === "text") return String(v);
  return Number(v).toLocaleString("en", {maximumFractionDigits: digits, minimumFractionDigits: digits});
}

function duration(s) {
  if (s === null || s === undefined) return "–";
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
  return (h ? h + " h " : "") + (h || m ? m + " min " : "") + r + " s";
}

function chart(name, opts, data) {
  const el = document.getElementById(name);
  if (state.charts[name]) state.charts[name].destroy();
  el.textContent = "";
  opts.width = Math.max(el.clientWidth, 540);
  opts.height = 260;
  state.charts[name] = new uPlot(opts, data, el);
}

function drawHeader(d) {
  document.title = "sparknas · " + d.sweep;
  document.getElementById("title").textContent = d.sweep + " (" + d.kind + (d.strategy ? ", " + d.strategy : "") + ")";
  document.getElementById("subtitle").textContent = d.root + " · config " + d.configHash;
  const done = d.evaluated, budget = d.budget;
  document.getElementById("progress-bar").style.width = budget ? Math.min(100, 100 * done / budget) + "%" : "100%";
  let text = done + (budget ? " of " + budget : "") + " evaluations committed";
  if (d.elapsedSeconds !== null) text += " · elapsed " + duration(d.elapsedSeconds);
  if (budget && done >= budget) text += " · complete";
  else if (d.etaSeconds !== null) text += " · ETA " + duration(d.etaSeconds) + " at the rate so far";
  document.getElementById("progress-text").textContent = text;
  document.getElementById("status-line").textContent = Object.entries(d.byStatus).map(([k, v]) => k + " " + v)
    .join(" · ");
}

function drawBest(d) {
  for (const [name, points, label] of [["best-eval", d.bestByEvaluation, "evaluations"],
                                       ["best-time", d.bestByTime, "seconds"]]) {
    const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
    chart(name, {scales: {x: {time: false}}, legend: {show: false},
      axes: [{label: label}, {label: "validation accuracy"}],
      series: [{}, {label: "best so far", stroke: BEST, width: 3, paths: uPlot.paths.stepped({align: 1})}]},
      [xs, ys]);
  }
}

function drawFront(d) {
  const costs = Object.keys(d.fronts), select = document.getElementById("cost");
  if (!costs.length) {
    document.getElementById("front-note").textContent = "no cost recorded by two successful candidates yet";
    return;
  }
  if (!state.cost || !costs.includes(state.cost)) state.cost = costs[0];
  select.innerHTML = costs.map(c => "<option value='" + c + "'" + (c === state.cost ? " selected" : "") + ">"
    + (COST_NAMES[c] || c) + "</option>").join("");
  select.onchange = () => { state.cost = select.value; drawFront(state.data); };
  const onFront = new Set(d.fronts[state.cost]);
  const ok = d.rows.filter(r => r.status === "OK" && r[state.cost] !== null && r.accuracy !== null)
    .sort((a, b) => a[state.cost] - b[state.cost]);
  const xs = ok.map(r => r[state.cost]);
  chart("front", {scales: {x: {time: false, distr: 3}}, legend: {show: false},
    axes: [{label: COST_NAMES[state.cost] || state.cost}, {label: "validation accuracy"}],
    series: [{}, {label: "candidates", stroke: POINTS, paths: () => null, points: {show: true, size: 6, fill: POINTS}},
      {label: "Pareto front", stroke: FRONT, width: 2, spanGaps: true, points: {show: true, size: 8, fill: FRONT}}]},
    [xs, ok.map(r => r.accuracy), ok.map(r => onFront.has(r.id) ? r.accuracy : null)]);
  document.getElementById("front-note").textContent = onFront.size + " of " + ok.length
    + " successful candidates on the front (red)";
}

function drawCurves(d) {
  const ids = Object.keys(d.curves);
  const note = document.getElementById("curves-note");
  if (!ids.length) {
    note.textContent = "no per-epoch curves in this sweep (a tabular estimator records none)";
    return;
  }
  const epochs = [...new Set(ids.flatMap(id => d.curves[id].map(p => p[0])))].sort((a, b) => a - b);
  const series = [{}], data = [epochs];
  ids.forEach((id, i) => {
    const byEpoch = new Map(d.curves[id]);
    const winner = id === d.winner;
    series.push({label: id, stroke: winner ? "#000000" : "hsla(" + (i * 47 % 360) + ",60%,45%,0.55)",
      width: winner ? 3 : 1, spanGaps: true});
    data.push(epochs.map(e => byEpoch.has(e) ? byEpoch.get(e) : null));
  });
  chart("curves", {scales: {x: {time: false}}, legend: {show: false},
    axes: [{label: "epoch"}, {label: "validation accuracy"}], series: series}, data);
  note.textContent = ids.length + " candidates; the winner in black";
}

function drawWinner(d) {
  document.getElementById("winner-id").textContent = d.winner ? d.winner : "(none yet)";
  const row = d.rows.find(r => r.id === d.winner);
  const el = document.getElementById("winner");
  if (!row) { el.textContent = "no successful candidate yet"; return; }
  el.innerHTML = "<p>accuracy " + fmt(row.accuracy, 4) + " · key <code></code></p>"
    + d.drawings.map(n => "<img alt='" + n + "' src='/drawing/" + n + "?v=" + encodeURIComponent(d.version) + "'>")
      .join("") + (d.drawings.length ? "" : "<p class='note'>no drawing (Graphviz's dot is not installed here, or "
      + "this space has none)</p>");
  el.querySelector("code").textContent = row.key;
}

function drawTable(d) {
  const head = document.querySelector("#candidates thead tr"), body = document.querySelector("#candidates tbody");
  head.innerHTML = "";
  for (const [key, label] of COLUMNS) {
    const th = document.createElement("th");
    th.textContent = label;
    th.dataset.key = key;
    if (state.sort.key === key) th.className = state.sort.desc ? "sorted-desc" : "sorted-asc";
    th.onclick = () => {
      state.sort = {key: key, desc: state.sort.key === key ? !state.sort.desc : key !== "id" && key !== "key"};
      drawTable(state.data);
    };
    head.appendChild(th);
  }
  const k = state.sort.key, sign = state.sort.desc ? -1 : 1;
  const rows = d.rows.slice().sort((a, b) => {
    const x = a[k], y = b[k];
    if (x === y) return a.id < b.id ? -1 : 1;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * sign;
  });
  body.innerHTML = "";
  for (const r of rows) {
    const tr = document.createElement("tr");
    tr.className = r.status + (r.id === d.winner ? " winner" : "");
    tr.dataset.id = r.id;
    if (r.error) tr.title = r.error;
    for (const [key, , digits] of COLUMNS) {
      const td = document.createElement("td");
      td.textContent = fmt(r[key], digits);
      if (digits === "text") td.className = "text";
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}

function draw(d) {
  state.data = d;
  drawHeader(d);
  drawBest(d);
  drawFront(d);
  drawCurves(d);
  drawWinner(d);
  drawTable(d);
  document.body.dataset.rows = String(d.rows.length);
  document.body.dataset.version = d.version;
}

async function poll() {
  let wait = 5;
  try {
    const response = await fetch("/api/sweep", {cache: "no-store"});
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    const d = await response.json();
    wait = d.refreshSeconds;
    if (d.version !== state.version) {
      state.version = d.version;
      draw(d);
    }
    document.getElementById("updated").textContent = "checked " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("updated").textContent = "cannot read the sweep: " + e.message + " (retrying)";
  }
  setTimeout(poll, wait * 1000);
}

poll();
