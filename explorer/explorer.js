// The mechanism explorer: picks the DOT fragments that mechgraph/explorer.py exported (already
// styled and escaped by the book's Python engine), joins them and lays them out with Graphviz
// compiled to WebAssembly (@viz-js/viz, copied next to this file at build time). No other host.
import { instance } from "./viz.js";

const HERE = new URL(".", import.meta.url);
const PARAMS = ["around", "depth", "figure", "chapter", "evidence", "species", "setting", "relation", "measured"];
const DEFAULT_VIEW = { around: "p2x7", depth: 1 };
const ZOOMS = [1, 1.25, 1.5, 2, 2.5, 3];
const $ = (id) => document.getElementById(id);

let DATA = null;
let viz = null;
let state = emptyState();
let zoom = 0;
let current = { shown: [], groups: [] };

function emptyState() {
  return { around: null, depth: 1, figure: null, chapter: null, evidence: [], species: null, setting: null,
           relation: null, measured: false };
}

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// -- the view in the query string -------------------------------------------------------

function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function nearest(value, known) {
  const v = value.toLowerCase();
  return [...known].map((k) => [distance(v, k.toLowerCase()) - (k.toLowerCase().includes(v) ? 2 : 0), k])
    .sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1])).slice(0, 5).map((x) => x[1]);
}

function findEntity(text) {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  if (DATA.entities[t]) return t;
  for (const [id, e] of Object.entries(DATA.entities)) {
    if (e.label.toLowerCase() === t || e.synonyms.some((s) => s.toLowerCase() === t)) return id;
  }
  return null;
}

function parseQuery(search) {
  const q = new URLSearchParams(search);
  const s = emptyState();
  const problems = [];
  const known = (name, value, ids, what) => {
    if (ids.includes(value)) return value;
    problems.push(`The link's parameter “${name}” names no known ${what} “${value}”; nearest known: ` +
      `${nearest(value, ids).join(", ")}. It was left out.`);
    return null;
  };
  for (const name of q.keys()) {
    if (!PARAMS.includes(name)) problems.push(`The link's parameter “${name}” is not one the explorer knows ` +
      `(it knows ${PARAMS.join(", ")}); it was left out.`);
  }
  if (q.has("around")) {
    const value = q.get("around");
    s.around = findEntity(value);
    if (!s.around) problems.push(`The link's parameter “around” names no known entity “${value}”; nearest known ids: ` +
      `${nearest(value, Object.keys(DATA.entities)).join(", ")}. Showing the default view instead.`);
  }
  if (q.has("depth")) {
    const value = q.get("depth");
    if (["1", "2", "3"].includes(value)) s.depth = Number(value);
    else problems.push(`The link's parameter “depth” must be 1, 2 or 3, not “${value}”; depth 1 is shown.`);
  }
  if (q.has("figure")) s.figure = known("figure", q.get("figure"), Object.keys(DATA.figures), "figure");
  if (q.has("chapter")) s.chapter = known("chapter", q.get("chapter"), DATA.chapters, "chapter");
  if (q.has("species")) s.species = known("species", q.get("species"), DATA.species, "species");
  if (q.has("setting")) s.setting = known("setting", q.get("setting"), DATA.settings, "setting");
  if (q.has("relation")) s.relation = known("relation", q.get("relation"), DATA.relations, "relation");
  if (q.has("evidence")) {
    for (const kind of q.get("evidence").split(",").filter(Boolean)) {
      const ok = known("evidence", kind, Object.keys(DATA.evidence), "evidence kind");
      if (ok && !s.evidence.includes(ok)) s.evidence.push(ok);
    }
  }
  if (q.has("measured")) {
    const value = q.get("measured");
    if (["1", "true"].includes(value)) s.measured = true;
    else if (!["0", "false", ""].includes(value))
      problems.push(`The link's parameter “measured” must be 1 (only what was measured in cancer-pain models) or 0, not “${value}”.`);
  }
  if (!s.around && !s.figure && !s.chapter) s.around = DEFAULT_VIEW.around;  // never an empty page
  return { state: s, problems };
}

function toQuery(s) {
  const q = new URLSearchParams();
  if (s.around) q.set("around", s.around);
  if (s.around && s.depth !== 1) q.set("depth", String(s.depth));
  if (s.figure) q.set("figure", s.figure);
  if (s.chapter) q.set("chapter", s.chapter);
  if (s.evidence.length) q.set("evidence", s.evidence.join(","));
  for (const k of ["species", "setting", "relation"]) if (s[k]) q.set(k, s[k]);
  if (s.measured) q.set("measured", "1");
  return "?" + q.toString();
}

// -- selecting statements (the same rules as mechgraph.diagram) ----------------------------

function select(s) {
  // Without an entity, figure and chapter choose the statements (as diagram(figure=...) does);
  // around an entity they filter its neighbourhood, like the other filters.
  let pool = DATA.statements;
  const tests = {
    figure: (r) => !s.figure || r.figures.includes(s.figure),
    chapter: (r) => !s.chapter || r.chapter === s.chapter,
    evidence: (r) => !s.evidence.length || s.evidence.includes(r.group),
    species: (r) => !s.species || r.species === s.species,
    setting: (r) => !s.setting || r.setting === s.setting,
    relation: (r) => !s.relation || r.relation === s.relation,
    "measured only": (r) => !s.measured || r.cancer_pain === "measured",
  };
  if (s.around) {
    const reached = new Set([s.around]);
    let frontier = new Set([s.around]);
    for (let i = 0; i < s.depth; i++) {
      const next = new Set();
      for (const r of pool) if (frontier.has(r.subject) || frontier.has(r.object)) { next.add(r.subject); next.add(r.object); }
      frontier = new Set([...next].filter((x) => !reached.has(x)));
      frontier.forEach((x) => reached.add(x));
    }
    pool = pool.filter((r) => reached.has(r.subject) && reached.has(r.object));
  } else {
    pool = pool.filter((r) => tests.figure(r) && tests.chapter(r));
    delete tests.figure;
    delete tests.chapter;
  }
  const hidden = {};
  for (const [name, test] of Object.entries(tests)) hidden[name] = pool.filter((r) => !test(r)).length;
  const shown = pool.filter((r) => Object.values(tests).every((t) => t(r)));
  return { pool, shown, hidden };
}

function dotSource(shown, rankdir) {
  const nodes = [...new Set([...shown.map((r) => r.subject), ...shown.map((r) => r.object)])];
  const ids = new Set(shown.map((r) => r.id));
  const groups = [...new Set(shown.map((r) => r.edge))];
  const lines = ["digraph explorer {", "\t" + DATA.graph, `\tgraph [rankdir=${rankdir}]`];
  for (const n of nodes) lines.push("\t" + DATA.entities[n].dot);
  for (const g of groups) {
    const edge = DATA.edges[g];
    // every subset the filters can leave was exported; the whole group is the fallback
    lines.push("\t" + (edge.dot[edge.statements.filter((id) => ids.has(id)).join(",")] ?? edge.dot[edge.statements.join(",")]));
  }
  lines.push("}");
  return { source: lines.join("\n"), nodes, groups };
}

// -- drawing ------------------------------------------------------------------------------

function score(svg) {
  const box = svg.viewBox.baseVal;
  return Math.abs(Math.log(box.width / box.height / DATA.page_aspect));
}

function layout(shown, rankdir) {
  const dot = dotSource(shown, rankdir);
  return { svg: viz.renderSVGElement(dot.source), rankdir, ...dot };
}

function decorate(drawn) {
  const svg = drawn.svg;
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-labelledby", "ex-svg-title");
  const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
  title.id = "ex-svg-title";
  title.textContent = `Diagram of ${drawn.nodes.length} entities and ${current.shown.length} statements; ` +
    "they are listed as text below the drawing.";
  svg.prepend(title);
  svg.querySelectorAll("g.graph > title").forEach((t) => t.remove());
  svg.dataset.width = svg.width.baseVal.valueInSpecifiedUnits;
  svg.dataset.height = svg.height.baseVal.valueInSpecifiedUnits;
  // Graphviz emits nodes and edges tail by tail, not in the order declared: a node's <title> is
  // its DOT name; an edge's id ("edge7") is its place in the DOT source.
  svg.querySelectorAll("g.node").forEach((g) => {
    const id = g.querySelector("title").textContent;
    g.dataset.id = id;
    g.querySelector("title").textContent = DATA.entities[id].label;  // readable, as in the book's diagrams
    g.querySelectorAll("a").forEach((a) => {
      a.setAttribute("role", "link");
      a.setAttribute("aria-label", `${DATA.entities[id].label}: centre the view on it`);
    });
  });
  svg.querySelectorAll("g.edge").forEach((g) => {
    const index = drawn.groups[Number(g.id.replace(/^edge/, "")) - 1];
    const edge = DATA.edges[index];
    g.dataset.edge = String(index);
    g.dataset.id = `${edge.subject}->${edge.object}`;
    g.querySelector("title").textContent = edge.title;
    g.querySelectorAll("a").forEach((a) => {
      // an edge with no DOI gets no link from Graphviz: make it one, so it is reached and read out
      if (!a.hasAttribute("xlink:href") && !a.hasAttribute("href")) a.setAttribute("href", "#ex-detail");
      a.setAttribute("role", "link");  // axe does not count an SVG xlink:href as a link's role
      a.setAttribute("aria-label", `${edge.title}: show the evidence`);
    });
  });
  return svg;
}

function applyZoom() {
  const svg = $("ex-drawing").querySelector("svg");
  if (!svg) return;
  const f = ZOOMS[zoom];
  svg.setAttribute("width", `${svg.dataset.width * f}pt`);
  svg.setAttribute("height", `${svg.dataset.height * f}pt`);
  $("ex-zoom-level").textContent = `${Math.round(f * 100)} %`;
  $("ex-zoom-out").disabled = zoom === 0;
  $("ex-zoom-in").disabled = zoom === ZOOMS.length - 1;
}

function citationsHtml(r) {
  return r.citations.map((key) => {
    const c = DATA.references[key];
    const bib = c.bib ? `<a href="${esc(c.bib)}">${esc(c.short)}</a>` : esc(c.short);
    const doi = c.doi ? ` (<a href="${esc(c.url)}">doi:${esc(c.doi)}</a>)` : "";
    return bib + doi;
  }).join("; ");
}

function statementHtml(r, full) {
  const E = DATA.entities;
  const where = r.species === "none" ? "" : `, ${esc(r.species)}`;
  const scope = (r.cancer_pain === "measured" ? `${DATA.measured_mark} ` : "") + DATA.scope_text[r.cancer_pain];
  let out = `<strong>${esc(E[r.subject].label)}</strong> ${esc(r.relation.replace(/_/g, " "))} ` +
    `<strong>${esc(E[r.object].label)}</strong> (${esc(r.context)}; ${esc(DATA.evidence_text[r.evidence])}${where}; ${scope}). ` +
    citationsHtml(r) + ".";
  if (r.erratum) {
    out += ` <a href="${esc(DATA.errata[r.erratum])}">Erratum ${esc(r.erratum)}` +
      (full ? ": what the review gets wrong here, and the correction</a>." : "</a>.");
  }
  if (full) out += ` <span class="ex-meta">Statement ${esc(r.id)}; setting ${esc(r.setting.replace(/_/g, " "))}; ` +
    `chapter ${esc(r.chapter)}${r.figures.length ? "; figures " + esc(r.figures.join(", ")) : ""}.</span>`;
  return out;
}

function showEdge(index) {
  const edge = DATA.edges[index];
  const ids = new Set(current.shown.map((r) => r.id));
  const rows = DATA.statements.filter((r) => r.edge === index && ids.has(r.id));
  const box = $("ex-detail");
  box.innerHTML = `<h3 id="ex-detail-title" tabindex="-1">${esc(edge.title)}</h3><ul>` +
    rows.map((r) => `<li>${statementHtml(r, true)}</li>`).join("") + "</ul>";
  box.hidden = false;
  $("ex-detail-title").focus();
  announce(`Evidence for: ${edge.title}, ${rows.length} statement${rows.length === 1 ? "" : "s"}.`);
}

function announce(text) {
  $("ex-status").textContent = text;
}

function describe(sel, drawnNodes) {
  const s = state;
  const parts = [];
  if (s.around) parts.push(`within ${s.depth} step${s.depth > 1 ? "s" : ""} of ${DATA.entities[s.around].label}`);
  if (s.figure) parts.push(`in the figure “${DATA.figures[s.figure].title}”`);
  if (s.chapter) parts.push(`in the chapter ${s.chapter}`);
  const hidden = Object.entries(sel.hidden).filter(([, n]) => n > 0).map(([k, n]) => `${n} by ${k}`);
  const out = sel.pool.length - sel.shown.length;
  return `Showing ${sel.shown.length} statement${sel.shown.length === 1 ? "" : "s"} between ${drawnNodes} entities ` +
    `${parts.join(", ")}. ` + (out ? `${out} of the ${sel.pool.length} statements of this selection are filtered out (${hidden.join(", ")}).`
      : "Nothing is filtered out.");
}

let rankdir = "LR";
let centre = null;
let refining = 0;

function show(drawn) {
  current.groups = drawn.groups;
  $("ex-drawing").replaceChildren(decorate(drawn));
  applyZoom();
}

function render() {
  const t0 = performance.now();
  const sel = select(state);
  current = { shown: sel.shown, groups: [] };
  $("ex-detail").hidden = true;
  let nodes = 0;
  // As mechgraph.diagram, a view is laid out left-to-right and top-to-bottom and keeps the shape
  // nearer the page's. The second layout runs after the first is on screen, and only for a new
  // centre (entity, figure or chapter): a filter change keeps the direction, so it redraws once.
  const key = [state.around, state.depth, state.figure, state.chapter].join("|");
  const fresh = key !== centre;
  centre = key;
  if (fresh) rankdir = "LR";
  if (!sel.shown.length) {
    const p = document.createElement("p");
    p.textContent = "No statement matches this view: loosen a filter or clear them.";
    $("ex-drawing").replaceChildren(p);
  } else {
    refining++;  // a pending second layout belongs to the view before
    delete document.documentElement.dataset.explorerPending;
    const drawn = layout(sel.shown, rankdir);
    nodes = drawn.nodes.length;
    show(drawn);
    if (fresh) {
      const ticket = ++refining;
      document.documentElement.dataset.explorerPending = "1";
      setTimeout(() => {
        if (ticket !== refining) return;  // the reader has moved on
        const other = layout(current.shown, "TB");
        if (score(other.svg) < score(drawn.svg)) { rankdir = "TB"; show(other); }
        delete document.documentElement.dataset.explorerPending;
      }, 0);
    }
  }
  const summary = describe(sel, nodes);
  $("ex-count").textContent = summary;
  $("ex-list").innerHTML = sel.shown.map((r) => `<li>${statementHtml(r, false)}</li>`).join("");
  $("ex-list-summary").textContent = `The ${sel.shown.length} statements of this view, as text`;
  syncControls();
  announce(summary);
  const root = document.documentElement.dataset;
  root.explorerMs = String(Math.round(performance.now() - t0));  // read by tests/benchmark.py
  if (!root.explorerFirstMs) root.explorerFirstMs = String(Math.round(performance.now()));  // since navigation
  root.explorerReady = String(Number(root.explorerReady || 0) + 1);
}

// -- controls -----------------------------------------------------------------------------

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

function fillControls() {
  const list = $("ex-entities");
  for (const [id, e] of Object.entries(DATA.entities).sort((a, b) => a[1].label.localeCompare(b[1].label))) {
    list.append(option(e.label, [e.kind_name, ...e.synonyms].join("; ")));
    for (const syn of e.synonyms) list.append(option(syn, `${e.label} (${id})`));
  }
  const fill = (id, values, text) => { for (const v of values) $(id).append(option(v, text(v))); };
  fill("ex-figure", Object.keys(DATA.figures), (v) => `${DATA.figures[v].title} (${v})`);
  fill("ex-chapter", DATA.chapters, (v) => DATA.names.chapter[v]);
  fill("ex-species", DATA.species, (v) => DATA.names.species[v]);
  fill("ex-setting", DATA.settings, (v) => DATA.names.setting[v]);
  fill("ex-relation", DATA.relations, (v) => DATA.names.relation[v]);
  const box = $("ex-evidence-boxes");
  for (const [value, name] of Object.entries(DATA.evidence)) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" name="evidence" value="${esc(value)}"> ${esc(name)}`;
    box.append(label);
  }
}

function syncControls() {
  $("ex-search").value = state.around ? DATA.entities[state.around].label : "";
  $("ex-depth").value = String(state.depth);
  for (const k of ["figure", "chapter", "species", "setting", "relation"]) $(`ex-${k}`).value = state[k] || "";
  document.querySelectorAll("#ex-evidence-boxes input").forEach((b) => { b.checked = state.evidence.includes(b.value); });
  $("ex-measured").checked = state.measured;
}

function go(change) {
  state = { ...state, ...change };
  history.pushState(null, "", toQuery(state));
  render();
}

function showProblems(problems) {
  const box = $("ex-message");
  if (!problems.length) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.innerHTML = "<p><strong>This link could not be followed exactly.</strong></p>" +
    problems.map((p) => `<p>${esc(p)}</p>`).join("");
}

function wire() {
  $("ex-search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("ex-search").value;
    if (!text.trim() && (state.figure || state.chapter)) { showProblems([]); go({ around: null }); return; }
    const id = findEntity(text);
    if (!id) {
      const labels = Object.values(DATA.entities).map((e) => e.label);
      showProblems([`No entity is called “${text}”; nearest known: ${nearest(text, labels).join(", ")}.`]);
      $("ex-message").focus();
      return;
    }
    showProblems([]);
    go({ around: id });
  });
  $("ex-depth").addEventListener("change", (ev) => go({ depth: Number(ev.target.value) }));  // used around an entity
  for (const k of ["figure", "chapter", "species", "setting", "relation"])
    $(`ex-${k}`).addEventListener("change", (ev) => go({ [k]: ev.target.value || null }));
  $("ex-evidence-boxes").addEventListener("change", () => go({
    evidence: [...document.querySelectorAll("#ex-evidence-boxes input:checked")].map((b) => b.value) }));
  $("ex-measured").addEventListener("change", (ev) => go({ measured: ev.target.checked }));
  $("ex-clear").addEventListener("click", () => go({ evidence: [], species: null, setting: null, relation: null,
                                                      measured: false, figure: null, chapter: null }));
  $("ex-zoom-in").addEventListener("click", () => { zoom = Math.min(zoom + 1, ZOOMS.length - 1); applyZoom(); });
  $("ex-zoom-out").addEventListener("click", () => { zoom = Math.max(zoom - 1, 0); applyZoom(); });
  $("ex-copy").addEventListener("click", async () => {
    const link = location.href;
    try {
      await navigator.clipboard.writeText(link);
      announce(`Link copied: ${link}`);
    } catch {
      $("ex-link").value = link;
      $("ex-link").hidden = false;
      $("ex-link").select();
      announce("The link is selected in the box beside the button: copy it with Ctrl+C.");
    }
  });
  $("ex-drawing").addEventListener("click", (ev) => {
    const a = ev.target.closest("a");
    if (!a) return;
    ev.preventDefault();
    const node = a.closest("g.node");
    const edge = a.closest("g.edge");
    if (node) go({ around: node.dataset.id });
    else if (edge) showEdge(Number(edge.dataset.edge));
  });
  window.addEventListener("popstate", () => {
    const parsed = parseQuery(location.search);
    state = parsed.state;
    showProblems(parsed.problems);
    render();
  });
}

async function main() {
  const root = $("explorer");
  try {
    const [data, v] = await Promise.all([
      fetch(new URL("graph.json", HERE)).then((r) => r.json()),
      instance(),
    ]);
    DATA = data;
    viz = v;
    for (const e of DATA.edges) e.title = `${DATA.entities[e.subject].label} ${e.relation.replace(/_/g, " ")} ${DATA.entities[e.object].label}`;
    for (const r of DATA.statements) {  // the fields graph.json leaves out: the edge's, and empty ones
      const edge = DATA.edges[r.edge];
      Object.assign(r, { subject: edge.subject, relation: edge.relation, object: edge.object,
                         group: DATA.evidence_group[r.evidence],
                         figures: r.figures || [], citations: r.citations || [], erratum: r.erratum || null });
    }
  } catch (err) {
    root.querySelector("#ex-count").textContent = `The explorer could not start: ${err}`;
    return;
  }
  fillControls();
  $("ex-legend").innerHTML = DATA.legend;  // drawn by mechgraph.diagram's legend, at build time
  const legend = $("ex-legend").querySelector("svg");
  legend.style.width = legend.style.minWidth = legend.style.maxWidth = `${legend.viewBox.baseVal.width}pt`;  // natural size: legible
  wire();
  const parsed = parseQuery(location.search);
  state = parsed.state;
  showProblems(parsed.problems);
  if (parsed.problems.length) history.replaceState(null, "", toQuery(state));
  root.classList.add("ex-ready");
  render();
}

main();
