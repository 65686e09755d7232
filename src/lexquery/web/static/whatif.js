// « Et si … ? »: toggles for the facts that matter to the current answer (the yes/no facts
// its conditions read or miss, and each removal measure's definitive / enforceable /
// remedies exhausted), each one calling POST /api/what-if and showing what changes.
import { t, getLang } from "./i18n.js";
import { el, getPath, subLabel } from "./form.js";
import { badge, markChanges, clearChanges } from "./answer.js";
import { fieldLabel } from "./vocab.js";
import * as api from "./api.js";

const MEASURE_KEYS = ["definitive", "enforceable", "remedies_exhausted"];
const ALWAYS = ["consent.transfer"];

let box, answerBox, vocab, current = null, onKeep = null;

export function setupWhatIf(container, answers, v, keep) {
  box = container;
  answerBox = answers;
  vocab = v;
  onKeep = keep;
  reset();
}

export function reset() {
  current = null;
  box.hidden = true;
  box.querySelector(".toggles").replaceChildren(el("p", { class: "hint", text: t("whatif_none") }));
  box.querySelector(".whatif-result").replaceChildren();
}

function factsOf(answer) {
  const seen = new Set(ALWAYS);
  const walk = (conds) => {
    for (const c of conds || []) {
      for (const f of [...(c.facts || []), ...(c.missing_facts || [])]) seen.add(f.split("[")[0]);
      walk(c.conditions);
    }
  };
  for (const p of answer.procedures) {
    (p.missing_facts || []).forEach((f) => seen.add(f.split("[")[0]));
    walk(p.conditions);
    for (const r of p.routes || []) walk(r.conditions);
  }
  return seen;
}

const valueText = (v) => (v === true ? t("yes") : v === false ? t("no") : t("unknown"));

function toggle(id, name, cur, makeSet) {
  const row = el("div", { class: "toggle", id, role: "group", "aria-label": name, "data-fact": id.replace(/^wi-/, "") },
    el("span", { class: "fact-name", text: name }), " ",
    el("span", { class: "current", text: `(${t("whatif_current")}${t("colon")}${valueText(cur)})` }), " ");
  const buttons = el("span", { class: "buttons" });
  row.append(buttons);
  for (const v of [true, false, null]) {
    if (v === cur || (v === null && cur === undefined)) continue;
    const b = el("button", { type: "button", class: "whatif-btn", "data-value": String(v), "aria-label": t("whatif_set", { fact: name, value: valueText(v) }), text: valueText(v) });
    b.addEventListener("click", () => run(name, valueText(v), makeSet(v), b));
    buttons.append(b);
  }
  return row;
}

/** Offer the toggles for `kase` and its `answer` (a single case). */
export function offer(kase, answer) {
  current = { kase, answer };
  box.hidden = false;
  const list = box.querySelector(".toggles");
  list.replaceChildren();
  box.querySelector(".whatif-result").replaceChildren();
  clearChanges(answerBox);
  const facts = factsOf(answer);
  for (const f of vocab.fields) {
    if (f.type !== "bool" || !facts.has(f.path)) continue;
    list.append(toggle(`wi-${f.path}`, fieldLabel(vocab, f.path), getPath(kase, f.path), (v) => ({ [f.path]: v })));
  }
  const measures = Array.isArray(kase.removal_measures) ? kase.removal_measures : [];
  if (facts.has("removal_measures")) {
    measures.forEach((m, i) => {
      for (const k of MEASURE_KEYS) {
        if (k === "definitive" && m.kind && m.kind !== "ITF") continue;
        const name = t("measure_field", { kind: m.kind || t("measure_n"), n: i + 1, field: subLabel("removal_measures", k) });
        list.append(toggle(`wi-removal_measures-${i}-${k}`, name, m[k], (v) => {
          const lst = measures.map((x) => ({ ...x }));
          if (v === null) delete lst[i][k]; else lst[i][k] = v;
          return { removal_measures: lst };
        }));
      }
    });
  }
}

async function run(name, valueWords, set, button) {
  const out = box.querySelector(".whatif-result");
  for (const b of box.querySelectorAll(".whatif-btn")) b.setAttribute("aria-pressed", String(b === button));
  out.replaceChildren(el("p", { text: t("loading") }));
  try {
    const r = await api.whatIf(current.kase, set, current.kase.as_of);
    const changes = r.changes || [];
    out.dataset.changes = String(changes.length);
    if (!changes.length) {
      out.replaceChildren(el("p", { class: "nochange", text: t("whatif_nochange", { fact: name, value: valueWords }) }));
      clearChanges(answerBox);
      return;
    }
    const status = (x) => (x && typeof x === "object" ? x.status : x);
    const ul = el("ul", { class: "changes" });
    for (const ch of changes) {
      const proc = vocab.procedures.find((p) => p.code === ch.procedure);
      ul.append(el("li", { "data-procedure": ch.procedure, "data-state": ch.state ?? "", "data-before": status(ch.before) ?? "", "data-after": status(ch.after) ?? "" },
        el("strong", { text: `${proc ? proc[getLang()] : ch.procedure}${ch.state ? ` — ${ch.state}` : ""}` }), t("colon"),
        status(ch.before) ? badge(status(ch.before)) : "—", " → ", status(ch.after) ? badge(status(ch.after)) : "—"));
    }
    const keep = el("button", { type: "button", class: "keep", text: t("whatif_keep") });
    keep.addEventListener("click", () => onKeep?.(applySet(current.kase, set)));
    out.replaceChildren(el("h4", { text: t("whatif_changes", { fact: name, value: valueWords }) }), ul, keep);
    markChanges(answerBox, changes);
  } catch (e) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: e.info?.message || String(e) }));
  }
}

function applySet(kase, set) {
  const c = structuredClone(kase);
  for (const [path, v] of Object.entries(set)) {
    const parts = path.split(".");
    let d = c;
    for (const p of parts.slice(0, -1)) d = d[p] ??= {};
    if (v === null) delete d[parts.at(-1)]; else d[parts.at(-1)] = v;
  }
  return c;
}
