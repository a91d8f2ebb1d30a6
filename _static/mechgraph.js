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
