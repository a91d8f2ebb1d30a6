// Diagrams (mechgraph/diagram.py): show the "scroll sideways" hint only where a diagram is wider
// than its box, and zoom the whole-figure views. No dependencies; nothing loaded from elsewhere.
(() => {
  "use strict";
  const boxes = () => document.querySelectorAll(".mechgraph-scroll");
  const mark = (box) => box.classList.toggle("is-overflowing", box.scrollWidth > box.clientWidth + 1);
  const observer = new ResizeObserver((entries) => entries.forEach((e) => mark(e.target)));

  function zoom(viewer, how) {
    const svg = viewer.querySelector(".mechgraph-scroll > svg");
    const box = svg.parentElement;
    const natural = Number(svg.dataset.naturalWidth);
    const now = svg.getBoundingClientRect().width;
    const width = { in: now * 1.25, out: now / 1.25, fit: box.clientWidth, reset: natural }[how];
    svg.style.minWidth = "0";
    svg.style.maxWidth = "none";
    svg.style.width = `${Math.max(120, Math.min(width, natural * 4))}px`;
    mark(box);
  }

  function init() {
    boxes().forEach((box) => { mark(box); observer.observe(box); });
    document.querySelectorAll("details.mechgraph-whole").forEach((viewer) => {
      viewer.addEventListener("toggle", () => viewer.querySelectorAll(".mechgraph-scroll").forEach(mark));
      viewer.querySelectorAll("button[data-zoom]").forEach((button) =>
        button.addEventListener("click", () => zoom(viewer, button.dataset.zoom)));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
