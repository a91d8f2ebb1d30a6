/* Self-test questions: check an answer and explain it, with no kernel and no network.
   Each question is a <fieldset class="mg-question"> written by mechgraph/questions.py: its
   data-correct attribute lists the right letters (for ordering, in the right order) and each
   input carries its own explanation in data-feedback. Feedback is written as text, never as HTML. */
"use strict";
(function () {
  function line(parent, text, cls) {
    const p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = text;
    parent.appendChild(p);
  }

  function check(fieldset) {
    const out = fieldset.querySelector(".mg-q-feedback");
    const correct = (fieldset.dataset.correct || "").split(";").filter(Boolean);
    out.replaceChildren();
    if (fieldset.dataset.kind === "ordering") {
      const menus = Array.from(fieldset.querySelectorAll("select"));
      if (menus.some((m) => !m.value)) {
        line(out, "Give every item a place first.", "mg-q-verdict");
        return;
      }
      const wrong = menus.filter((m) => Number(m.value) !== correct.indexOf(m.dataset.letter) + 1);
      fieldset.dataset.state = wrong.length ? "wrong" : "right";
      line(out, wrong.length ? `Not yet: ${wrong.length} of ${menus.length} items are out of place.`
                             : "Right: that is the order.", "mg-q-verdict");
      (wrong.length ? wrong : menus).forEach((m) =>
        line(out, `${m.dataset.letter.toUpperCase()}: ${m.dataset.feedback}`));
      return;
    }
    const inputs = Array.from(fieldset.querySelectorAll("input"));
    const chosen = inputs.filter((i) => i.checked);
    if (!chosen.length) {
      line(out, "Choose an answer first.", "mg-q-verdict");
      return;
    }
    const picked = chosen.map((i) => i.value);
    const right = picked.length === correct.length && picked.every((v) => correct.includes(v));
    fieldset.dataset.state = right ? "right" : "wrong";
    line(out, right ? "Right." : (correct.length > 1 ? "Not yet: check each choice below." : "Not quite."),
         "mg-q-verdict");
    chosen.forEach((i) => line(out, `${i.value.toUpperCase()}: ${i.dataset.feedback}`));
    if (!right && correct.length > 1) {
      const missed = inputs.filter((i) => correct.includes(i.value) && !i.checked);
      if (missed.length) line(out, `You left out ${missed.length} right answer${missed.length > 1 ? "s" : ""}.`);
    }
  }

  function init() {
    document.querySelectorAll("fieldset.mg-question").forEach((fieldset) => {
      const button = fieldset.querySelector(".mg-q-check");
      if (button) button.addEventListener("click", () => check(fieldset));
      fieldset.addEventListener("change", () => {
        delete fieldset.dataset.state;
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
