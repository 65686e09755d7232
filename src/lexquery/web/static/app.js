// lexquery's page (issue 6): wires the case form, the paste tab, the answer, the article
// panel, the « et si » toggles, the screening upload, the trainer view and the language.
// No framework, no build step, no network beyond this server's /api.
import { t, setLang, getLang, translatePage } from "./i18n.js";
import { normalise } from "./vocab.js";
import { buildForm, readCase, fillCase, clearForm, el } from "./form.js";
import { renderAnswer, setVocab } from "./answer.js";
import { setupArticle, setDate, show as showArticle } from "./article.js";
import { setupWhatIf, offer, reset as resetWhatIf } from "./whatif.js";
import { setupScreen } from "./screen.js";
import { setupInterview, start as startInterview } from "./interview.js";
import * as api from "./api.js";

const $ = (s) => document.querySelector(s);
let vocab = null;
let last = null; // {sent, answer}

function showError(e) {
  const info = e.info || { message: e.message || String(e) };
  const box = $("#errors");
  box.replaceChildren(el("div", { class: "error" },
    el("p", {}, el("strong", { text: `${t("error")}${t("colon")}` }), info.message || ""),
    info.where ? el("p", { "data-error": "where" }, `${t("where")}${t("colon")}`, el("code", { text: info.where })) : null,
    info.line ? el("p", { "data-error": "where" }, `${t("where")}${t("colon")}`, el("code", { text: `${info.line}:${info.column ?? ""}` })) : null,
    info.expected ? el("p", { text: `${t("expected")}${t("colon")}${info.expected}` }) : null,
    info.hint ? el("p", { text: `${t("hint")}${t("colon")}${info.hint}` }) : null));
}

function clearError() { $("#errors").replaceChildren(); }

async function askCase(sent) {
  clearError();
  const box = $("#answer");
  box.setAttribute("aria-busy", "true");
  $("#status-line").textContent = t("loading");
  try {
    const answer = await api.ask(sent);
    last = { sent, answer };
    show();
    box.focus();
  } catch (e) {
    showError(e);
    markStale();
    $("#status-line").textContent = `${t("error")}${t("colon")}${e.info?.message ?? e}`;
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

async function downloadNote(format) {
  if (!last || Array.isArray(last.sent)) return;
  clearError();
  try {
    const blob = await api.note(last.sent, format, getLang());
    const ext = format;
    const a = el("a", { href: URL.createObjectURL(blob), download: `${format === "ics" ? "echeances" : "fiche"}-${last.sent.id || "cas"}.${ext}` });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (e) {
    showError(e);
  }
}

function show() {
  const { sent, answer } = last;
  delete $("#answer").dataset.stale;
  $("#note-actions").hidden = Array.isArray(sent);
  const box = $("#answer");
  renderAnswer(box, answer, sent);
  const first = Array.isArray(answer) ? answer[0] : answer;
  if (first) setDate(first.as_of);
  const n = (Array.isArray(answer) ? answer : [answer]).reduce((k, a) => k + a.procedures.length, 0);
  $("#status-line").textContent = t("answered", { n, id: Array.isArray(answer) ? answer.map((a) => a.case).join(", ") : answer.case });
  if (!Array.isArray(answer) && !Array.isArray(sent)) offer(sent, answer); else resetWhatIf();
}

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab) => {
    for (const x of tabs) {
      const on = x === tab;
      x.setAttribute("aria-selected", String(on));
      x.tabIndex = on ? 0 : -1;
      document.getElementById(x.getAttribute("aria-controls")).hidden = !on;
    }
    tab.focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      const k = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (k) { e.preventDefault(); select(tabs[(i + k + tabs.length) % tabs.length]); }
      if (e.key === "Home") { e.preventDefault(); select(tabs[0]); }
      if (e.key === "End") { e.preventDefault(); select(tabs.at(-1)); }
    });
  });
}

function detectSyntax(text) {
  const body = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n").replace(/^[\ufeff\s]+/, "");
  return body.startsWith("{") || body.startsWith("[") ? "json" : "lq";
}

async function onPaste(e) {
  e.preventDefault();
  clearError();
  const text = $("#paste-text").value;
  let syntax = $("#paste-syntax").value;
  if (syntax === "auto") syntax = detectSyntax(text);
  try {
    const { cases, questions } = await api.parse(text, syntax);
    if (cases.length === 1) fillCase(cases[0]);
    await askCase(cases.length === 1 ? cases[0] : cases);
    showQuestions(questions || []);
  } catch (err) {
    showError(err);
    markStale();
    $("#paste-text").focus();
  }
}

// The questions of a pasted .lq text, answered as `lexquery ask FILE.lq` answers them.
function showQuestions(questions) {
  const box = $("#lq-answers");
  box.hidden = !questions.length;
  box.querySelector("div").replaceChildren(...questions.map((q) =>
    el("section", { class: "lq-answer" }, el("h4", { text: `» ${q.question}` }), el("pre", { text: q.answer }))));
}

// After an error, the answer on screen is the previous case's: say so, never let it pass for the new one.
function markStale() {
  const box = $("#answer");
  if (!last || box.dataset.stale === "true") return;
  box.dataset.stale = "true";
  box.prepend(el("p", { class: "stale-note", role: "note", "data-stale": "true", text: t("stale_answer") }));
  $("#lq-answers").hidden = true;
}

function applyLang(l) {
  const kept = vocab ? readCase() : null;
  setLang(l);
  translatePage();
  const url = new URL(location.href);
  if (l === "fr") url.searchParams.delete("lang"); else url.searchParams.set("lang", l);
  history.replaceState(null, "", url);
  if (vocab) {
    buildForm($("#case-fields"), vocab);
    fillCase(kept);
  }
  // the answer's words come from the server: ask again in the new language
  if (last && !Array.isArray(last.sent)) askCase(last.sent);
  else if (last) show();
  else resetWhatIf();
}

async function main() {
  setLang(new URLSearchParams(location.search).get("lang") === "en" ? "en" : "fr");
  translatePage();
  setupTabs();
  setupArticle($("#article-dialog"));
  setupScreen($("#screen-form"));
  $("#trainer").addEventListener("change", (e) => document.body.classList.toggle("trainer", e.target.checked));
  $("#print").addEventListener("click", () => window.print());
  // printed answers show their notes and points to verify: open the closed <details>, then restore
  let closed = [];
  window.addEventListener("beforeprint", () => { closed = [...document.querySelectorAll("#answer details:not([open]):not(.raw)")]; closed.forEach((d) => { d.open = true; }); });
  window.addEventListener("afterprint", () => { closed.forEach((d) => { d.open = false; }); closed = []; });
  $("#lang-switch").addEventListener("click", () => applyLang(getLang() === "fr" ? "en" : "fr"));
  $("#paste-form").addEventListener("submit", onPaste);
  $("#case-form").addEventListener("submit", (e) => { e.preventDefault(); showQuestions([]); askCase(readCase()); });
  $("#reset").addEventListener("click", () => clearForm());
  for (const f of ["pdf", "docx", "ics"]) $(`#note-${f}`).addEventListener("click", () => downloadNote(f));
  setupInterview($("#panel-interview"), {
    show: (answer, kase) => { last = { sent: kase, answer }; show(); },
    error: showError,
    clear: clearError,
  });
  $("#iv-from-form").addEventListener("click", () => startInterview(readCase()));
  try {
    vocab = normalise(await api.vocabulary());
  } catch (e) {
    showError({ info: { message: t("vocab_error"), hint: e.info?.message } });
    return;
  }
  setVocab(vocab);
  buildForm($("#case-fields"), vocab);
  setupWhatIf($("#whatif"), $("#answer"), vocab, (kase) => { fillCase(kase); askCase(kase); });
  document.body.dataset.ready = "true";
  const m = /^#article=(.+)$/.exec(location.hash);
  if (m) showArticle(decodeURIComponent(m[1]));
}

main();
