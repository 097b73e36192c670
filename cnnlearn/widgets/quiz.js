// Prediction mode of cnnlearn.widgets.GridView and NetworkExplorer: the widget asks a question, the student clicks
// an answer and presses Check (or Enter); the widget marks each cell right, missed or extra, and only then
// explains and shows. The question, the answer and the explanation were computed in Python (GridWidget.ask,
// NetworkExplorer.ask); nothing here computes geometry. Everything happens in the browser, so it works with no
// kernel; with one, the guesses and whether they were checked go back to Python (quiz_guess, quiz_checked) for a
// teacher to collect.
//
// A cell is named by an address: [grid, r, c] in a grid widget (its dataset grid, r, c), [column key, c, i, j]
// in NetworkExplorer. The widget says how to read a cell's address (address), where its accessible name is
// (name), and what Check reveals (reveal); the grids' ways are the defaults.

// el() and save() are in dom.js, which cnnlearn.widgets._grid.esm puts before this file.

const QUIZ_MARKS = {
  right: ["\u2713", "right"],          // check mark
  missed: ["\u25CB", "missed: part of the answer"],  // open circle
  extra: ["\u2717", "extra: not part of the answer"],  // ballot x
};

// The grid widgets' ways: a cell's address from its dataset, its name in its hidden name span, and Check pins
// the revealed cell (stepping to it in a stepper).
const gridAddress = (cell) => [cell.dataset.grid, +cell.dataset.r, +cell.dataset.c];
const gridName = (cell, text) => { cell._name.textContent += text; };
function gridReveal(model, reveal) {
  if (reveal.length !== 3 || !model.get("lookup")[reveal.join(":")]) return;
  const steps = model.get("steps");
  const idx = steps.findIndex((s) => s.join(":") === reveal.join(":"));
  if (idx >= 0) model.set("step", idx);
  model.set("selected", reveal);
}

function quizPanel({ model, cells, repaint, unhover, address = gridAddress, name = gridName,
  reveal: revealIt = gridReveal, noun = "cell" }) {
  const panel = el("div", "cnnlearn-quiz");
  panel.setAttribute("role", "group");
  panel.setAttribute("aria-label", "Predict first");
  const question = el("p", "cnnlearn-quiz-question");
  const buttons = el("div", "cnnlearn-quiz-buttons");
  const check = el("button", "cnnlearn-quiz-check", "Check");
  check.type = "button";
  const again = el("button", "cnnlearn-quiz-again", "Try again");
  again.type = "button";
  buttons.append(check, again);
  const status = el("p", "cnnlearn-quiz-status");
  status.setAttribute("aria-live", "polite");
  const explanation = el("p", "cnnlearn-quiz-explanation");
  panel.append(question, buttons, status, explanation);

  const q = () => model.get("quiz") || {};
  const asked = () => Array.isArray(q().answer) && q().answer.length > 0;
  const checked = () => asked() && model.get("quiz_checked");
  const keyOfCell = (...parts) => parts.join(":");
  const answerKeys = () => new Set((q().answer || []).map((a) => keyOfCell(...a)));
  const guessKeys = () => new Set((model.get("quiz_guess") || []).map((a) => keyOfCell(...a)));
  const inQuiz = (cell) => asked() && (q().grids || []).includes(address(cell)[0]);
  const plural = (n) => `${n} ${noun}${n === 1 ? "" : "s"}`;

  function setGuess(keys) {
    model.set("quiz_guess", [...keys].map((k) => { const [g, ...rest] = k.split(":"); return [g, ...rest.map(Number)]; }));
    save(model);
  }

  function toggle(cell) {
    const k = keyOfCell(...address(cell));
    const keys = guessKeys();
    if (keys.has(k)) keys.delete(k); else keys.add(k);
    setGuess(keys);
  }

  function submit() {
    if (!asked() || checked()) return;
    unhover();  // show the answer, not the cell under the mouse or the keyboard focus
    model.set("quiz_checked", true);
    revealIt(model, q().reveal || []);
    save(model);
  }

  function reset() {
    model.set("quiz_checked", false);
    setGuess(new Set());
  }

  function result() {
    const answer = answerKeys(), guess = guessKeys();
    const right = [...guess].filter((k) => answer.has(k));
    const extra = [...guess].filter((k) => !answer.has(k));
    const missed = [...answer].filter((k) => !guess.has(k));
    return { right, extra, missed };
  }

  function draw() {
    panel.hidden = !asked();
    if (!asked()) return;
    question.textContent = q().question;
    // what the question is about, for a program reading the page (the browser tests)
    panel.dataset.kind = q().kind || "";
    panel.dataset.about = (q().about || []).map((c) => c.join(":")).join(" ");
    panel.dataset.grids = (q().grids || []).join(" ");
    panel.dataset.state = checked() ? "checked" : "asking";
    check.hidden = checked();
    again.hidden = !checked();
    check.disabled = false;
    if (!checked()) {
      const n = guessKeys().size;
      status.textContent = n ? `${plural(n)} chosen. Press Check (or Enter on a ${noun}) when you are done.`
        : `Click the ${noun}s of your answer (or move with the arrow keys and press Space), then press Check.`;
      explanation.textContent = "";
      return;
    }
    const { right, extra, missed } = result();
    if (!extra.length && !missed.length) {
      status.textContent = `Right: all ${plural(right.length)} of the answer, and nothing else.`;
    } else {
      const parts = [`${right.length} right`];
      if (missed.length) parts.push(`${missed.length} missed (\u25CB)`);
      if (extra.length) parts.push(`${extra.length} extra (\u2717)`);
      status.textContent = `Not quite: ${parts.join(", ")}. The marks on the ${noun}s show which.`;
    }
    explanation.textContent = q().explanation || "";
  }

  // Called by the grid's paint(), ``shown`` the cell whose highlights show: put the guesses and, once checked,
  // the right/missed/extra marks on the cells, for as long as the widget shows the answer (the revealed cell,
  // not a cell the student moved on to).
  function decorate(touched, shown) {
    draw();
    if (!asked()) return;
    const guess = guessKeys();
    const marks = {};
    const reveal = q().reveal || [];
    if (checked() && (!reveal.length || shown === keyOfCell(...reveal))) {
      const { right, extra, missed } = result();
      for (const k of right) marks[k] = "right";
      for (const k of extra) marks[k] = "extra";
      for (const k of missed) marks[k] = "missed";
    }
    for (const [k, cell] of cells()) {
      const kind = marks[k];
      const guessed = guess.has(k) && !checked();
      if (!guessed && !kind && !cell._quiz) continue;
      cell.classList.toggle("cnnlearn-guess", guessed);
      for (const m of Object.keys(QUIZ_MARKS)) cell.classList.toggle(`cnnlearn-quiz-${m}`, kind === m);
      cell._quiz = guessed || Boolean(kind);
      if (guessed) name(cell, ", in your answer");
      if (!cell._quizMark) {  // its own corner: the pairing numbers keep theirs
        cell._quizMark = el("span", "cnnlearn-quiz-mark");
        cell._quizMark.setAttribute("aria-hidden", "true");
        cell.append(cell._quizMark);
      }
      cell._quizMark.textContent = kind ? QUIZ_MARKS[kind][0] : "";
      if (kind) name(cell, `, ${QUIZ_MARKS[kind][1]}`);
      if (cell._quiz) touched.push(cell);
    }
  }

  check.addEventListener("click", submit);
  again.addEventListener("click", reset);
  for (const name of ["quiz", "quiz_guess", "quiz_checked"]) model.on(`change:${name}`, repaint);

  return {
    panel,
    decorate,
    // While a question waits for its answer, the widget shows no highlight, equation or info: no peeking.
    hides: () => asked() && !checked(),
    // A click on a cell of the answer's grids toggles a guess instead of pinning it.
    click(cell) {
      if (!inQuiz(cell) || checked()) return false;
      toggle(cell);
      return true;
    },
    // Space toggles the focused cell, Enter checks the answer.
    key(name, cell) {
      if (!asked() || checked()) return false;
      if (name === "Enter") { submit(); return true; }
      if (name === " " && inQuiz(cell)) { toggle(cell); return true; }
      return false;
    },
  };
}
