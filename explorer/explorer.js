// The mechanism explorer (chapters/explorer.md). mechgraph/explorer.py writes what it draws from:
// graph.js (entities, statements, sources), views/*.js (every entity one step out, every figure and
// chapter, laid out at build time by Graphviz in both directions) and dot.js (the DOT fragments the
// book's Python engine styled and escaped). A view drawn at build time is shown as it is; any other
// view is laid out here by Graphviz compiled to WebAssembly (viz.js), loaded only then. All are
// classic scripts, so the page also works opened as a file (an unzipped pack). No other host.
(() => {
  "use strict";

  const HERE = new URL(".", document.currentScript.src);
  const PARAMS = ["around", "depth", "all", "figure", "chapter", "evidence", "species", "setting", "relation", "measured"];
  const DEFAULT_VIEW = { around: "p2x7", depth: 1 };
  const MAX_LINK = 2000;  // characters of a link's query read; the rest is ignored, with a message
  const MAX_VALUE = 100;  // characters of one parameter's value
  const GREEK = { α: "alpha", β: "beta", γ: "gamma", δ: "delta", κ: "kappa", μ: "mu" };
  const $ = (id) => document.getElementById(id);
  const has = (object, key) => Object.hasOwn(object, key);

  let DATA = null;
  let LIMIT = 30;
  let names = new Map();  // folded name -> entity id (mechgraph.data.name_key folds the same way)
  let state = emptyState();
  let current = { shown: [], groups: [], nodes: [] };
  let zoom = { factor: 1, fit: 1, fitted: true };
  let ticket = 0;  // the render a late result belongs to
  let laid = { key: null, rankdir: "LR" };  // the view's centre and the direction it was laid out in

  function emptyState() {
    return { around: null, depth: 1, all: false, figure: null, chapter: null, evidence: [], species: null,
             setting: null, relation: null, measured: false };
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  const shorten = (text, n = 40) => (text.length > n ? text.slice(0, n) + "…" : text);
  const fold = (text) => text.toLowerCase().replace(/[αβγδκμ]/g, (c) => GREEK[c]).replace(/[^a-z0-9]/g, "");
  const label = (id) => DATA.entities[id].label;
  const plural = (n, word, many = word + "s") => `${n} ${n === 1 ? word : many}`;

  // -- finding an entity ----------------------------------------------------------------------

  function distance(a, b) {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  }

  function nearest(value, known) {
    const v = value.toLowerCase().slice(0, MAX_VALUE);
    return [...known].map((k) => [distance(v, k.toLowerCase()) - (k.toLowerCase().includes(v) ? 2 : 0), k])
      .sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1)).slice(0, 5).map((x) => x[1]);
  }

  function indexNames() {
    names = new Map();
    const entries = Object.entries(DATA.entities);
    for (const [id, e] of entries) for (const n of [id, e.label]) if (!names.has(fold(n))) names.set(fold(n), id);
    for (const [id, e] of entries) for (const n of [...e.aliases, ...e.synonyms]) if (!names.has(fold(n))) names.set(fold(n), id);
    names.delete("");
  }

  function findEntity(text) {
    const t = text.trim().slice(0, MAX_VALUE);
    if (!t) return null;
    if (has(DATA.entities, t)) return t;
    const key = fold(t);
    if (!key) return null;
    if (names.has(key)) return names.get(key);
    if (key.endsWith("s") && names.has(key.slice(0, -1))) return names.get(key.slice(0, -1));  // MSCs, microglia
    const starting = new Set([...names].filter(([k]) => k.startsWith(key)).map(([, id]) => id));
    return starting.size === 1 ? [...starting][0] : null;  // a name begun and unique
  }

  // -- the view in the query string -------------------------------------------------------------

  function parseQuery(search) {
    const problems = [];
    if (search.length > MAX_LINK) {
      problems.push(`The link is ${search.length.toLocaleString("en")} characters long; the explorer reads its first ` +
        `${MAX_LINK.toLocaleString("en")} and ignored the rest.`);
      search = search.slice(0, MAX_LINK);
    }
    const q = new URLSearchParams(search);
    const s = emptyState();
    const value = (name) => {
      const v = q.get(name);
      if (v.length <= MAX_VALUE) return v;
      problems.push(`The link's parameter “${name}” is ${v.length.toLocaleString("en")} characters long, more than ` +
        `any name the explorer knows; it was left out.`);
      return null;
    };
    const known = (name, v, ids, what) => {
      if (v === null) return null;
      if (ids.includes(v)) return v;
      problems.push(`The link's parameter “${name}” names no known ${what} “${shorten(v)}”; nearest known: ` +
        `${nearest(v, ids).join(", ")}. It was left out.`);
      return null;
    };
    const unknown = [...new Set(q.keys())].filter((name) => !PARAMS.includes(name));
    if (unknown.length) problems.push(`The link's parameter${unknown.length > 1 ? "s" : ""} ` +
      `${unknown.slice(0, 3).map((n) => `“${shorten(n)}”`).join(", ")}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ""} ` +
      `${unknown.length > 1 ? "are" : "is"} not one the explorer knows (it knows ${PARAMS.join(", ")}); left out.`);
    if (q.has("around")) {
      const v = value("around");
      s.around = v === null ? null : findEntity(v);
      if (v !== null && !s.around) problems.push(`The link's parameter “around” names no known entity “${shorten(v)}”; ` +
        `nearest known ids: ${nearest(v, Object.keys(DATA.entities)).join(", ")}. Showing the default view instead.`);
    }
    if (q.has("depth")) {
      const v = q.get("depth");
      if (["1", "2", "3"].includes(v)) s.depth = Number(v);
      else problems.push(`The link's parameter “depth” must be 1, 2 or 3, not “${shorten(v)}”; depth 1 is shown.`);
    }
    if (q.has("all")) s.all = ["1", "true"].includes(q.get("all"));
    if (q.has("figure")) s.figure = known("figure", value("figure"), Object.keys(DATA.figures), "figure");
    if (q.has("chapter")) s.chapter = known("chapter", value("chapter"), DATA.chapters, "chapter");
    if (q.has("species")) s.species = known("species", value("species"), DATA.species, "species");
    if (q.has("setting")) s.setting = known("setting", value("setting"), DATA.settings, "setting");
    if (q.has("relation")) s.relation = known("relation", value("relation"), DATA.relations, "relation");
    if (q.has("evidence")) {
      const v = value("evidence");
      for (const kind of (v || "").split(",").filter(Boolean).slice(0, 10)) {
        const ok = known("evidence", kind, Object.keys(DATA.evidence), "evidence kind");
        if (ok && !s.evidence.includes(ok)) s.evidence.push(ok);
      }
    }
    if (q.has("measured")) {
      const v = q.get("measured");
      if (["1", "true"].includes(v)) s.measured = true;
      else if (!["0", "false", ""].includes(v))
        problems.push(`The link's parameter “measured” must be 1 (only what was measured in cancer-pain models) or 0, not “${shorten(v)}”.`);
    }
    if (!s.around && !s.figure && !s.chapter) s.around = DEFAULT_VIEW.around;  // never an empty page
    return { state: s, problems };
  }

  function toQuery(s) {
    const q = new URLSearchParams();
    if (s.around) q.set("around", s.around);
    if (s.around && s.depth !== 1) q.set("depth", String(s.depth));
    if (s.around && s.all) q.set("all", "1");
    if (s.figure) q.set("figure", s.figure);
    if (s.chapter) q.set("chapter", s.chapter);
    if (s.evidence.length) q.set("evidence", s.evidence.join(","));
    for (const k of ["species", "setting", "relation"]) if (s[k]) q.set(k, s[k]);
    if (s.measured) q.set("measured", "1");
    return "?" + q.toString();
  }

  // -- selecting statements (the same rules as mechgraph.diagram) --------------------------------

  const nodesOf = (rows) => [...new Set([...rows.map((r) => r.subject), ...rows.map((r) => r.object)])];

  function cap(rows, centre) {
    // As mechgraph.explorer.capped: the centre, then entities by distance from it, those with more
    // statements to nearer ones first (then by id), each kept only if linked to one already kept.
    const nodes = nodesOf(rows);
    if (nodes.length <= LIMIT) return rows;
    const layer = new Map([[centre, 0]]);
    let frontier = [centre];
    while (frontier.length) {
      const next = [];
      for (const r of rows)
        for (const [a, b] of [[r.subject, r.object], [r.object, r.subject]])
          if (frontier.includes(a) && !layer.has(b)) { layer.set(b, layer.get(a) + 1); next.push(b); }
      frontier = next;
    }
    const far = nodes.length;
    const depthOf = (n) => (layer.has(n) ? layer.get(n) : far);
    const links = (n, to) => rows.filter((r) => (r.subject === n && to.has(r.object)) || (r.object === n && to.has(r.subject))).length;
    const score = new Map(nodes.map((n) => [n, links(n, new Set([...layer.keys()].filter((m) => layer.get(m) < depthOf(n))))]));
    const order = nodes.filter((n) => n !== centre)
      .sort((a, b) => depthOf(a) - depthOf(b) || score.get(b) - score.get(a) || (a < b ? -1 : 1));
    const kept = new Set([centre]);
    for (const n of order) {
      if (kept.size === LIMIT) break;
      if (links(n, kept)) kept.add(n);
    }
    return rows.filter((r) => kept.has(r.subject) && kept.has(r.object));
  }

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
    const all = pool.filter((r) => Object.values(tests).every((t) => t(r)));
    const shown = s.around && !s.all ? cap(all, s.around) : all;
    return { pool, all, shown, hidden, total: nodesOf(all).length, nodes: nodesOf(shown).length };
  }

  // -- drawing: a view drawn at build time, or laid out here ----------------------------------------

  const loaded = new Map();
  function script(name) {  // a classic script next to this one, once (fetch() is refused to a page opened as a file)
    if (!loaded.has(name)) loaded.set(name, new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = new URL(name, HERE).href;
      tag.onload = resolve;
      tag.onerror = () => { loaded.delete(name); tag.remove(); reject(new Error(`${name} could not be loaded`)); };
      document.head.append(tag);
    }));
    return loaded.get(name);
  }

  let graphviz = null;
  function layoutEngine() {
    graphviz ||= Promise.all([script("viz.js"), script("dot.js")]).then(() => self.Viz.instance())
      .catch((err) => { graphviz = null; throw err; });
    return graphviz;
  }

  function viewKey(s) {
    if (s.evidence.length || s.species || s.setting || s.relation || s.measured || s.all) return null;
    const key = s.around ? (s.depth === 1 && !s.figure && !s.chapter ? `around-${s.around}` : null)
      : s.figure && !s.chapter ? `figure-${s.figure}` : !s.figure && s.chapter ? `chapter-${s.chapter}` : null;
    return key && DATA.views.has(key) ? key : null;
  }

  async function prerendered(key, shown) {
    await script(`views/${key}.js`);
    const view = self.MECHGRAPH_VIEWS[key];
    if (view.statements.join(",") !== shown.map((r) => r.id).join(",")) return null;  // not this selection: lay it out
    const parse = (text) => document.importNode(new DOMParser().parseFromString(text, "image/svg+xml").documentElement, true);
    return ["LR", "TB"].map((rankdir) => ({ svg: parse(view.svg[rankdir]), rankdir, nodes: view.nodes, groups: view.groups }));
  }

  function dotSource(shown, rankdir) {
    const DOT = self.MECHGRAPH_DOT;
    const nodes = nodesOf(shown);
    const ids = new Set(shown.map((r) => r.id));
    const groups = [...new Set(shown.map((r) => r.edge))];
    const lines = ["digraph explorer {", "\t" + DOT.graph, `\tgraph [rankdir=${rankdir}]`];
    for (const n of nodes) lines.push("\t" + DOT.entities[n]);
    for (const g of groups) {
      const variants = DOT.edges[g];
      // every subset the filters can leave was exported; the whole group is the fallback
      lines.push("\t" + (variants[DATA.edges[g].statements.filter((id) => ids.has(id)).join(",")] ?? variants[DATA.edges[g].statements.join(",")]));
    }
    lines.push("}");
    return { source: lines.join("\n"), nodes, groups };
  }

  function layout(viz, shown, rankdir) {
    const dot = dotSource(shown, rankdir);
    return { svg: viz.renderSVGElement(dot.source), rankdir, ...dot };
  }

  const PT = 4 / 3;  // CSS px per pt: Graphviz sizes its SVG in pt

  function box() {
    // The drawing's box: the column's width, and the height left in the first screen below its top
    // (at least 16 rem), so that the fitted drawing is seen whole without scrolling the page.
    const el = $("ex-drawing");
    const style = getComputedStyle(el);
    const width = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const top = el.getBoundingClientRect().top + window.scrollY;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const outer = Math.max(16 * rem, window.innerHeight - Math.min(top, window.innerHeight * 0.6) - 0.75 * rem);
    const frame = el.offsetHeight - el.clientHeight + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    return { width, height: outer - frame, outer };
  }

  function fitOf(svg, room) {
    const w = svg.viewBox.baseVal.width * PT;
    const h = svg.viewBox.baseVal.height * PT;
    return Math.min(1, room.width / w, room.height / h);
  }

  function better(a, b, room) {  // the direction that shows the drawing larger in this box
    return fitOf(b.svg, room) > fitOf(a.svg, room) * 1.02 ? b : a;
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
    // Graphviz emits nodes and edges tail by tail, not in the order declared: a node's <title> is
    // its DOT name; an edge's id ("edge7") is its place in the DOT source.
    svg.querySelectorAll("g.node").forEach((g) => {
      const id = g.querySelector("title").textContent;
      g.dataset.id = id;
      g.querySelector("title").textContent = label(id);  // readable, as in the book's diagrams
      if (id === state.around) g.classList.add("ex-centre");
      g.querySelectorAll("a").forEach((a) => {
        a.removeAttribute("target");
        a.setAttribute("role", "link");
        a.setAttribute("aria-label", `${label(id)}: centre the view on it`);
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
        a.removeAttribute("target");
        a.setAttribute("role", "link");  // axe does not count an SVG xlink:href as a link's role
        a.setAttribute("aria-label", `${edge.title}: show the evidence`);
      });
    });
    return svg;
  }

  function applyZoom(factor, anchor) {
    const el = $("ex-drawing");
    const svg = el.querySelector("svg");
    if (!svg) return;
    const old = zoom.factor;
    // the point kept in place: the asked entity when leaving the fitted view, else the box's centre
    let point = { x: (el.scrollLeft + el.clientWidth / 2) / old, y: (el.scrollTop + el.clientHeight / 2) / old };
    if (anchor) {
      const r = anchor.getBoundingClientRect();
      const s = svg.getBoundingClientRect();
      point = { x: (r.left + r.width / 2 - s.left) / old, y: (r.top + r.height / 2 - s.top) / old };
    }
    zoom.factor = factor;
    svg.setAttribute("width", `${(svg.viewBox.baseVal.width * PT * factor).toFixed(1)}px`);
    svg.setAttribute("height", `${(svg.viewBox.baseVal.height * PT * factor).toFixed(1)}px`);
    el.scrollLeft = point.x * factor - el.clientWidth / 2;
    el.scrollTop = point.y * factor - el.clientHeight / 2;
    $("ex-zoom-level").textContent = `${Math.round(factor * 100)} %`;
    $("ex-zoom-out").disabled = factor <= Math.min(zoom.fit, 0.25) + 1e-6;
    $("ex-zoom-in").disabled = factor >= 3 - 1e-6;
  }

  function fit() {
    const svg = $("ex-drawing").querySelector("svg");
    if (!svg) return;
    const room = box();
    $("ex-drawing").style.maxHeight = `${Math.floor(room.outer)}px`;
    zoom.fit = fitOf(svg, room);
    zoom.fitted = true;
    applyZoom(zoom.fit);
  }

  function zoomBy(step) {
    const steps = [0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 2.5, 3, zoom.fit].sort((a, b) => a - b);
    const f = zoom.factor;
    const next = step > 0 ? steps.find((x) => x > f * 1.01) : [...steps].reverse().find((x) => x < f / 1.01);
    if (next === undefined) return;
    const centre = zoom.fitted && state.around ? $("ex-drawing").querySelector(`g.node[data-id="${CSS.escape(state.around)}"]`) : null;
    zoom.fitted = Math.abs(next - zoom.fit) < 1e-6;
    applyZoom(next, centre);
  }

  function show(drawn) {
    current.groups = drawn.groups;
    current.nodes = drawn.nodes;
    $("ex-drawing").replaceChildren(decorate(drawn));
    $("ex-drawing").dataset.rankdir = drawn.rankdir;
    fit();
    const root = document.documentElement.dataset;
    if (!root.explorerFirstMs) root.explorerFirstMs = String(Math.round(performance.now()));  // since navigation, for tests/benchmark.py
  }

  // -- text beside the drawing ------------------------------------------------------------------------

  function citationsHtml(r) {
    return r.citations.map((key) => {
      const c = DATA.references[key];
      const bib = c.bib ? `<a href="${esc(c.bib)}">${esc(c.short)}</a>` : esc(c.short);
      const doi = c.doi ? ` (<a href="${esc(c.url)}">doi:${esc(c.doi)}</a>)` : "";
      return bib + doi;
    }).join("; ");
  }

  function statementHtml(r, full) {
    const where = r.species === "none" ? "" : `, ${esc(r.species)}`;
    const scope = (r.cancer_pain === "measured" ? `${DATA.measured_mark} ` : "") + DATA.scope_text[r.cancer_pain];
    let out = `<strong>${esc(label(r.subject))}</strong> ${esc(r.relation.replace(/_/g, " "))} ` +
      `<strong>${esc(label(r.object))}</strong> (${esc(r.context)}; ${esc(DATA.evidence_text[r.evidence])}${where}; ${scope}). ` +
      citationsHtml(r) + ".";
    if (r.erratum) {
      out += ` <a href="${esc(DATA.errata[r.erratum])}">The review errs here` +
        (full ? ": what it gets wrong, and the correction</a>." : "</a>.");
    }
    if (full) {
      const figures = r.figures.filter((f) => Object.hasOwn(DATA.figures, f)).map((f) => `“${DATA.figures[f].title}”`);
      out += ` <span class="ex-meta">Setting: ${esc(DATA.names.setting[r.setting] || r.setting.replace(/_/g, " "))}; ` +
        `taught in “${esc(DATA.names.chapter[r.chapter] || r.chapter)}”` +
        `${figures.length ? "; drawn in " + esc(figures.join(", ")) : ""}.</span>`;
    }
    return out;
  }

  function showEdge(index) {
    const edge = DATA.edges[index];
    const ids = new Set(current.shown.map((r) => r.id));
    const rows = DATA.statements.filter((r) => r.edge === index && ids.has(r.id));
    const detail = $("ex-detail");
    detail.innerHTML = `<h3 id="ex-detail-title" tabindex="-1">${esc(edge.title)}</h3><ul>` +
      rows.map((r) => `<li>${statementHtml(r, true)}</li>`).join("") + "</ul>";
    detail.hidden = false;
    $("ex-detail-title").focus();
    announce(`Evidence for: ${edge.title}, ${plural(rows.length, "statement")}.`);
  }

  function announce(text) {
    $("ex-status").textContent = text;
  }

  function where(s) {
    const parts = [];
    if (s.around) parts.push(`within ${plural(s.depth, "step")} of ${label(s.around)}`);
    if (s.figure) parts.push(`in the figure “${DATA.figures[s.figure].title}”`);
    if (s.chapter) parts.push(`in the chapter ${DATA.names.chapter[s.chapter] || s.chapter}`);
    return parts.join(", ");
  }

  function describe(sel) {
    const hidden = Object.entries(sel.hidden).filter(([, n]) => n > 0).map(([k, n]) => `${n} by ${k}`);
    const out = sel.pool.length - sel.all.length;
    const of = sel.nodes < sel.total ? `${sel.nodes} of ${sel.total} entities (the rest are offered below the drawing)` :
      plural(sel.nodes, "entity", "entities");
    return `${of} and ${plural(sel.shown.length, "statement")} ${where(state)}. ` +
      (out ? `${out} of the ${sel.pool.length} statements of this selection are filtered out (${hidden.join(", ")}).`
        : "Nothing is filtered out.");
  }

  function notice(sel) {
    const box = $("ex-notice");
    if (sel.nodes >= sel.total) { box.hidden = true; box.replaceChildren(); return; }
    box.hidden = false;
    box.innerHTML = `<p>${sel.total} entities are ${esc(where(state))}: more than one drawing can show legibly. ` +
      `${esc(label(state.around))} and the ${sel.nodes - 1} nearest are drawn (nearer ones first, then those with ` +
      `the most statements linking them nearer).</p><button type="button" id="ex-all">Draw all ${sel.total} entities</button>`;
    $("ex-all").addEventListener("click", () => go({ all: true }));
  }

  function filterCount() {
    const n = state.evidence.length + ["figure", "chapter", "species", "setting", "relation"].filter((k) => state[k]).length +
      (state.measured ? 1 : 0);
    $("ex-filter-count").textContent = n ? `(${n} set)` : "";
  }

  async function render(focus) {
    const mine = ++ticket;
    const t0 = performance.now();
    const root = document.documentElement.dataset;
    const sel = select(state);
    current = { shown: sel.shown, groups: [], nodes: [] };
    $("ex-detail").hidden = true;
    root.explorerPending = "1";
    const summary = describe(sel);
    $("ex-count").textContent = summary;
    $("ex-filtered").textContent = "";
    notice(sel);
    $("ex-list").innerHTML = sel.shown.map((r) => `<li>${statementHtml(r, false)}</li>`).join("");
    $("ex-list-summary").textContent = `The ${plural(sel.shown.length, "statement")} of this view, as text`;
    syncControls();
    try {
      if (!sel.shown.length) {
        const p = document.createElement("p");
        p.textContent = "No statement matches this view: loosen a filter or clear them.";
        $("ex-drawing").replaceChildren(p);
      } else {
        const key = viewKey(state);
        const ready = key ? await prerendered(key, sel.shown) : null;
        if (mine !== ticket) return;
        if (ready) {
          const chosen = better(ready[0], ready[1], box());
          show(chosen);
          laid = { key: [state.around, state.depth, state.all, state.figure, state.chapter].join("|"), rankdir: chosen.rankdir };
          root.explorerSource = "build";
        } else {
          root.explorerSource = "browser";
          if (!$("ex-drawing").querySelector("svg")) $("ex-drawing").replaceChildren(Object.assign(document.createElement("p"),
            { textContent: "Laying out the drawing…" }));
          const viz = await layoutEngine();
          if (mine !== ticket) return;
          // As mechgraph.diagram, a view is laid out left-to-right and top-to-bottom and keeps the
          // direction that shows it larger; the second layout runs after the first is on screen,
          // and only for a new centre: a filter change keeps the direction, so it is laid out once.
          const centre = [state.around, state.depth, state.all, state.figure, state.chapter].join("|");
          const fresh = centre !== laid.key;
          const first = layout(viz, sel.shown, fresh ? "LR" : laid.rankdir);
          show(first);
          laid = { key: centre, rankdir: first.rankdir };
          if (fresh) {
            await new Promise((resolve) => setTimeout(resolve, 0));
            if (mine !== ticket) return;
            const other = layout(viz, sel.shown, "TB");
            if (better(first, other, box()) === other) { show(other); laid.rankdir = "TB"; }
          }
        }
      }
    } catch (err) {
      if (mine !== ticket) return;
      $("ex-drawing").replaceChildren(Object.assign(document.createElement("p"),
        { textContent: `The drawing could not be made: ${err.message}. The statements are listed as text below.` }));
    }
    if (mine !== ticket) return;
    announce(summary);
    if (focus) {
      const node = $("ex-drawing").querySelector(`g.node[data-id="${CSS.escape(focus)}"] a`);
      if (node) node.focus({ preventScroll: true });
    }
    root.explorerMs = String(Math.round(performance.now() - t0));  // read by tests/benchmark.py
    if (!root.explorerFirstMs) root.explorerFirstMs = String(Math.round(performance.now()));  // nothing to draw
    delete root.explorerPending;
    root.explorerReady = String(Number(root.explorerReady || 0) + 1);
  }

  // -- controls -------------------------------------------------------------------------------------

  function option(value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  function fillControls() {
    const list = $("ex-entities");
    for (const [id, e] of Object.entries(DATA.entities).sort((a, b) => (a[1].label.toLowerCase() < b[1].label.toLowerCase() ? -1 : 1))) {
      list.append(option(e.label, [e.kind_name, ...e.aliases].join("; ")));
      for (const other of [...e.aliases, ...e.synonyms]) list.append(option(other, `${e.label} (${id})`));
    }
    const fill = (id, values, text) => { for (const v of values) $(id).append(option(v, text(v))); };
    fill("ex-figure", Object.keys(DATA.figures), (v) => DATA.figures[v].title);
    fill("ex-chapter", DATA.chapters, (v) => DATA.names.chapter[v]);
    fill("ex-species", DATA.species, (v) => DATA.names.species[v]);
    fill("ex-setting", DATA.settings, (v) => DATA.names.setting[v]);
    fill("ex-relation", DATA.relations, (v) => DATA.names.relation[v]);
    const boxes = $("ex-evidence-boxes");
    for (const [value, name] of Object.entries(DATA.evidence)) {
      const item = document.createElement("label");
      item.innerHTML = `<input type="checkbox" name="evidence" value="${esc(value)}"> ${esc(name)}`;
      boxes.append(item);
    }
  }

  function syncControls() {
    $("ex-search").value = state.around ? label(state.around) : "";
    $("ex-depth").value = String(state.depth);
    for (const k of ["figure", "chapter", "species", "setting", "relation"]) $(`ex-${k}`).value = state[k] || "";
    document.querySelectorAll("#ex-evidence-boxes input").forEach((b) => { b.checked = state.evidence.includes(b.value); });
    $("ex-measured").checked = state.measured;
    filterCount();
  }

  function go(change, focus) {
    // A change of what is viewed (entity, depth, figure, chapter) that would draw more than LIMIT
    // entities says how many and asks first; a filter only refines the view the reader has.
    const next = { ...state, ...change };
    const moved = ["around", "depth", "figure", "chapter"].some((k) => k in change && change[k] !== state[k]);
    if (moved && !("all" in change)) next.all = false;
    const sel = select(next);
    if (moved && sel.nodes > Math.max(LIMIT, current.nodes.length) && !change.confirmed) {
      const ask = $("ex-message");
      ask.hidden = false;
      ask.innerHTML = `<p><strong>This view would draw ${sel.nodes} entities and ${plural(sel.shown.length, "statement")}</strong> ` +
        `(${esc(where(next))}): a large drawing to read. Draw it?</p>` +
        `<button type="button" id="ex-ask-yes">Draw the ${sel.nodes} entities</button> <button type="button" id="ex-ask-no">Keep the current view</button>`;
      $("ex-ask-yes").addEventListener("click", () => { showProblems([]); go({ ...change, confirmed: true }, focus); });
      $("ex-ask-no").addEventListener("click", () => { showProblems([]); syncControls(); });
      ask.focus();
      return;
    }
    delete next.confirmed;
    state = next;
    history.pushState(null, "", toQuery(state));
    render(focus);
  }

  function showProblems(problems, heading = "This link could not be followed exactly.") {
    const message = $("ex-message");
    if (!problems.length) { message.hidden = true; message.replaceChildren(); return; }
    message.hidden = false;
    message.innerHTML = `<p><strong>${esc(heading)}</strong></p>` + problems.map((p) => `<p>${esc(p)}</p>`).join("");
  }

  function wire() {
    $("ex-search-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = $("ex-search").value.slice(0, MAX_VALUE);
      if (!text.trim() && (state.figure || state.chapter)) { showProblems([]); go({ around: null }); return; }
      const id = findEntity(text);
      if (!id) {
        const labels = Object.values(DATA.entities).map((e) => e.label);
        const message = $("ex-message");
        message.hidden = false;
        message.innerHTML = `<p><strong>No entity is called “${esc(shorten(text))}”.</strong> Did you mean:</p><p class="ex-suggest"></p>`;
        for (const name of nearest(text, labels)) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = name;
          b.addEventListener("click", () => { showProblems([]); go({ around: findEntity(name) }); });
          message.querySelector(".ex-suggest").append(b, " ");
        }
        message.focus();
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
    $("ex-zoom-in").addEventListener("click", () => zoomBy(1));
    $("ex-zoom-out").addEventListener("click", () => zoomBy(-1));
    $("ex-fit").addEventListener("click", fit);
    let width = window.innerWidth;
    window.addEventListener("resize", () => {
      if (window.innerWidth !== width && zoom.fitted) fit();
      width = window.innerWidth;
    });
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
      if (node) { showProblems([]); go({ around: node.dataset.id, depth: 1 }, node.dataset.id); }
      else if (edge) showEdge(Number(edge.dataset.edge));
    });
    window.addEventListener("popstate", () => {
      const parsed = parseQuery(location.search);
      state = parsed.state;
      showProblems(parsed.problems);
      render();
    });
  }

  function main() {
    DATA = self.MECHGRAPH_GRAPH;
    if (!DATA) {
      $("ex-count").textContent = "The explorer could not start: its data (graph.js) did not load.";
      return;
    }
    LIMIT = DATA.limit;
    DATA.views = new Set(DATA.views);
    for (const e of DATA.edges) e.title = `${label(e.subject)} ${e.relation.replace(/_/g, " ")} ${label(e.object)}`;
    for (const r of DATA.statements) {  // the fields graph.js leaves out: the edge's, and empty ones
      const edge = DATA.edges[r.edge];
      Object.assign(r, { subject: edge.subject, relation: edge.relation, object: edge.object,
                         group: DATA.evidence_group[r.evidence],
                         figures: r.figures || [], citations: r.citations || [], erratum: r.erratum || null });
    }
    indexNames();
    fillControls();
    $("ex-legend").innerHTML = DATA.legend;  // drawn by mechgraph.diagram's legend, at build time
    wire();
    const parsed = parseQuery(location.search);
    state = parsed.state;
    showProblems(parsed.problems);
    if (parsed.problems.length) history.replaceState(null, "", toQuery(state));
    $("explorer").classList.add("ex-ready");
    render();
  }

  main();
})();
