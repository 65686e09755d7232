// The guided interview (issue 17) on the page: one question at a time, chosen by the server
// (POST /api/interview, lexquery.interview) from the engine's missing facts — never from a
// list written here. The page keeps the case built so far, the facts said unknown, and the
// answers given (each can be taken back or revised); the answer is shown as it firms up.
import { t, getLang } from "./i18n.js";
import { el } from "./form.js";
import * as api from "./api.js";

let state = null;   // {case, skipped, lq, question, done, formFields, history: [{path, label, text, before}]}
let hooks = null;   // {show(answer, case), error(e), clear()}

const $ = (s) => document.querySelector(s);

export function setupInterview(panel, h) {
  hooks = h;
  $("#iv-start").addEventListener("click", () => start({ id: "entretien" }));
  $("#iv-form").addEventListener("submit", (e) => { e.preventDefault(); reply($("#iv-text").value); });
  $("#iv-dontknow").addEventListener("click", () => reply(t("iv_dontknow_word")));
  $("#iv-back").addEventListener("click", back);
  $("#iv-save-json").addEventListener("click", () => save("json"));
  $("#iv-save-lq").addEventListener("click", () => save("lq"));
}

export async function start(kase) {
  state = { case: kase, skipped: [], history: [], question: null, done: false };
  $("#iv-body").hidden = false;
  await step(null);
}

async function step(answer, label) {
  hooks.clear();
  const before = { case: state.case, skipped: state.skipped };
  try {
    const r = await api.interview({ case: state.case, skipped: state.skipped, answer }, getLang());
    if (answer) state.history.push({ path: answer.path, label: label ?? answer.path, text: answer.text, before });
    Object.assign(state, { case: r.case, skipped: r.skipped, question: r.question, done: r.done,
                           formFields: r.form_fields, lq: r.case_lq });
    render();
    hooks.show(r.answer, r.case);
  } catch (e) {
    hooks.error(e);
    $("#iv-text").focus();
  }
}

function reply(text) {
  const q = state?.question;
  if (!q) return;
  step({ path: q.path, text }, q.label);
}

async function back() {
  const last = state?.history.pop();
  if (!last) return;
  Object.assign(state, last.before);
  await step(null);
}

function revise(i) {
  const h = state.history[i];
  state.question = { path: h.path, label: h.label, expects: "", why: [] };
  state.done = false;
  render();
  $("#iv-text").value = h.text;
  $("#iv-text").select();
}

function render() {
  const q = state.question;
  $("#iv-count").textContent = t("iv_count", { n: state.history.length, m: state.formFields ?? "?" });
  if (state.done || !q) {
    $("#iv-question").replaceChildren(el("p", { class: "iv-done", "data-iv": "done",
                                                text: t("iv_done", { n: state.history.length }) }));
    $("#iv-form").hidden = true;
  } else {
    const why = (q.why || []).slice(0, 4).map((r) =>
      el("li", {}, `${r.condition} — ${r.procedure} `, el("span", { class: "src", text: `(${r.sources.join(", ")})` })));
    $("#iv-question").replaceChildren(
      el("p", { class: "iv-q", "data-iv-path": q.path }, el("strong", { text: `${q.label.charAt(0).toUpperCase()}${q.label.slice(1)} ?` })),
      q.expects ? el("p", { class: "hint", text: `${t("expected")}${t("colon")}${q.expects}` }) : null,
      why.length ? el("details", { open: true }, el("summary", { text: t("iv_why") }), el("ul", {}, ...why)) : null);
    $("#iv-form").hidden = false;
    $("#iv-text").value = "";
    $("#iv-text").focus();
  }
  $("#iv-history").replaceChildren(...state.history.map((h, i) => {
    const b = el("button", { type: "button", class: "link", "data-iv-revise": h.path, text: t("iv_revise") });
    b.addEventListener("click", () => revise(i));
    return el("li", {}, `${h.label}${t("colon")}${h.text} `, b);
  }));
  $("#iv-back").disabled = !state.history.length;
}

function save(kind) {
  if (!state) return;
  const text = kind === "json" ? JSON.stringify(state.case, null, 2) + "\n" : state.lq;
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: kind === "json" ? "application/json" : "text/plain" })),
                      download: `${state.case.id || "cas"}.${kind}` });
  document.body.append(a);
  a.click();
  a.remove();
}
