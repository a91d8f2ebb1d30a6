// Diagrams (mechgraph/diagram.py): zoom the whole-figure views, which open fitted to their box.
// No dependencies; nothing loaded from elsewhere.
(() => {
  "use strict";

  function zoom(viewer, how) {
    const svg = viewer.querySelector(".mechgraph-scroll > svg");
    const box = svg.parentElement;
    const natural = Number(svg.dataset.naturalWidth);
    const now = svg.getBoundingClientRect().width;
    const width = { in: now * 1.25, out: now / 1.25, fit: box.clientWidth, reset: natural }[how];
    svg.style.maxWidth = "none";
    svg.style.width = `${Math.max(120, Math.min(width, natural * 4))}px`;
  }

  function init() {
    document.querySelectorAll("details.mechgraph-whole").forEach((viewer) => {
      viewer.querySelectorAll("button[data-zoom]").forEach((button) =>
        button.addEventListener("click", () => zoom(viewer, button.dataset.zoom)));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// The errata table (chapter 8, the data-errata directive): a filter by kind and by how much a
// problem matters, above the table; a row linked to (#erratum-e04) is always shown.
(() => {
  "use strict";
  function filterTable(table) {
    const rows = [...table.querySelectorAll("tbody tr.mg-erratum")];
    const kindOf = (row) => [...row.classList].find((c) => c.startsWith("mg-kind-"));
    const severityOf = (row) => [...row.classList].find((c) => c.startsWith("mg-severity-"));
    const label = (row) => row.cells[0].querySelector("strong")?.textContent.trim() || "";
    const kinds = new Map();
    rows.forEach((row) => {
      const k = kindOf(row);
      if (!kinds.has(k)) kinds.set(k, { label: label(row), count: 0 });
      kinds.get(k).count += 1;
    });
    const form = document.createElement("form");
    form.className = "mg-errata-filter";
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter the problems");
    const select = (name, text, options) => {
      const wrap = document.createElement("label");
      wrap.textContent = `${text} `;
      const menu = document.createElement("select");
      menu.name = name;
      options.forEach(([value, shown]) => menu.add(new Option(shown, value)));
      wrap.append(menu);
      form.append(wrap, " ");
      return menu;
    };
    const kindMenu = select("kind", "Kind of problem:", [
      ["", `all kinds (${rows.length})`],
      ...[...kinds].map(([k, v]) => [k, `${v.label} (${v.count})`]),
    ]);
    const severities = new Map();
    rows.forEach((row) => severities.set(severityOf(row), row.cells[0].querySelector("em")?.textContent.trim() || ""));
    const severityMenu = select("severity", "How serious:", [
      ["", "all"],
      ...[...severities].filter(([, shown]) => shown).map(([value, shown]) => [value, shown]),
    ]);
    const status = document.createElement("p");
    status.className = "mg-errata-count";
    status.setAttribute("aria-live", "polite");
    const apply = () => {
      let shown = 0;
      rows.forEach((row) => {
        const visible = (!kindMenu.value || kindOf(row) === kindMenu.value) &&
          (!severityMenu.value || severityOf(row) === severityMenu.value);
        row.hidden = !visible;
        shown += visible;
      });
      status.textContent = `${shown} of ${rows.length} problems shown.`;
    };
    form.addEventListener("change", apply);
    const reveal = () => {
      const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && rows.includes(target) && target.hidden) {
        kindMenu.value = "";
        severityMenu.value = "";
        apply();
        target.scrollIntoView();
      }
    };
    window.addEventListener("hashchange", reveal);
    const box = table.closest(".mechgraph-table-box, .pst-scrollable-table-container") || table;
    box.before(form, status);
    apply();
  }
  function init() {
    document.querySelectorAll("table.mg-errata").forEach(filterTable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
