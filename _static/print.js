// Printing: open the diagrams' text descriptions (details.mechgraph-text) so they reach the
// paper, and close again afterwards the ones the reader had left closed.
(() => {
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = [...document.querySelectorAll("details.mechgraph-text:not([open]), details.mechgraph-table-details:not([open])")];
    opened.forEach((d) => { d.open = true; });
  });
  window.addEventListener("afterprint", () => {
    opened.forEach((d) => { d.open = false; });
    opened = [];
  });
})();
