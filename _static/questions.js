/* Self-test questions: check an answer and explain it, with no kernel and no network.
   Each question is a <fieldset class="mg-question"> written by mechgraph/questions.py: its
   data-correct attribute lists the right letters (for ordering, in the right order) and each
   input carries its own explanation in data-feedback. Feedback is written as text, never as HTML;
   a changed choice clears it, so an explanation never sits under an answer it does not explain.

   "Predict, then run" exercises (an {exercise} with :class: mg-predict, whose last list holds the
   predictions; the code cell right after it computes the result): the list becomes a choice, and
   the cell's result stays hidden until a prediction is chosen and "Show the result" is pressed.
   Without JavaScript, and on paper, everything shows. */
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
        fieldset.querySelector(".mg-q-feedback").replaceChildren();
      });
    });
    document.querySelectorAll(".exercise.mg-predict").forEach(predict);
  }

  function predict(exercise, n) {
    const cell = exercise.nextElementSibling;
    const list = Array.from(exercise.querySelectorAll("ul")).pop();
    const output = cell && cell.classList.contains("cell") ? cell.querySelector(".cell_output") : null;
    if (!list || !output) return;
    const id = `${exercise.id || "predict-" + n}-result`;
    const group = document.createElement("div");
    group.className = "mg-predict-choices";
    group.setAttribute("role", "radiogroup");
    group.setAttribute("aria-label", "Your prediction");
    Array.from(list.children).forEach((item, i) => {
      const row = document.createElement("div");
      const input = document.createElement("input");
      const label = document.createElement("label");
      input.type = "radio";
      input.name = `${id}-choice`;
      input.id = `${id}-choice-${i + 1}`;
      label.htmlFor = input.id;
      const paragraph = item.querySelector(":scope > p");
      label.append(...(paragraph && item.children.length === 1 ? paragraph : item).childNodes);
      row.append(input, label);
      group.appendChild(row);
    });
    const content = list.closest("section") || exercise;  // the hint and button go after its last line
    list.replaceWith(group);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mg-q-check mg-predict-show";
    button.textContent = "Show the result";
    button.disabled = true;
    button.setAttribute("aria-controls", id);
    button.setAttribute("aria-expanded", "false");
    const hint = document.createElement("p");
    hint.className = "mg-q-hint";
    hint.textContent = "Choose a prediction first; then the result below can be shown.";
    content.append(hint, button);
    output.id = id;
    output.hidden = true;
    cell.classList.add("mg-predict-result");
    group.addEventListener("change", () => {
      button.disabled = false;
      hint.textContent = "Now compare your prediction with the result.";
    });
    button.addEventListener("click", () => {
      output.hidden = false;
      button.setAttribute("aria-expanded", "true");
      button.hidden = true;
      output.setAttribute("tabindex", "-1");
      output.focus();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
