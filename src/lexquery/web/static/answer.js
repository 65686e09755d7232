// Renders lexquery answers (docs/answer-format.md): one card per
// procedure × State, with its status (colour + icon + words), dates, consent, conditions with
// their sources as links, missing facts with why; in the trainer view, the nested conditions
// as a collapsible tree, routes, and the instruments set aside with their reason.
// The DOM carries data-procedure / data-state / data-status so tests can read the answer.
import { t, getLang } from "./i18n.js";
import { label, fieldLabel } from "./vocab.js";
import { el } from "./form.js";

const ICON = {
  applicable: "✓", applicable_later: "◷", not_applicable: "✗", undetermined: "?",
  met: "✓", not_met: "✗", unknown: "?", to_assess: "⚖",
};

let vocab = null;
export function setVocab(v) { vocab = v; }

export function badge(status) {
  return el("span", { class: `badge st-${status}`, "data-status": status },
    el("span", { "aria-hidden": "true", text: ICON[status] ?? "·" }), " ", t(`st_${status}`));
}

export function dateText(iso) {
  if (!iso) return t("no_date");
  const d = new Date(`${iso}T00:00:00`);
  if (Number.isNaN(d.getTime())) return iso;
  let s = new Intl.DateTimeFormat(getLang() === "en" ? "en-GB" : "fr-FR", { dateStyle: "long" }).format(d);
  if (getLang() === "fr") s = s.replace(/^1 /, "1er ");
  return el("time", { datetime: iso, text: s });
}

export function citeLink(c) {
  const a = el("a", { class: "cite", href: `#article=${encodeURIComponent(c)}`, "data-citation": c, text: c });
  return a;
}

function cites(list) {
  const span = el("span", { class: "cites" });
  (list || []).forEach((c, i) => { if (i) span.append(", "); span.append(citeLink(c)); });
  return span;
}

const stateName = (code) => (code ? `${label(vocab.states, code)} (${code})` : null);

function procTitle(p) {
  const v = vocab.procedures.find((x) => x.code === p.procedure);
  const name = getLang() === "en" && v ? v.en : (p.label || (v && v.fr) || p.procedure);
  return p.state ? `${name} — ${stateName(p.state)}` : name;
}

// the rule's wording of `until` when it is a deadline (rules/*.yaml until_label), else « Jusqu'au »
function untilText(p) {
  const v = vocab.procedures.find((x) => x.code === p.procedure);
  const w = v?.raw?.until_label?.[getLang()];
  return w ? w.charAt(0).toUpperCase() + w.slice(1) : t("until");
}

function consentText(v, p) {
  // a procedure whose rules say nothing of consent (a duty of the greffe, of the parquet)
  if (p && v == null && vocab.procedures.find((x) => x.code === p.procedure)?.raw?.consent === false) return t("consent_none");
  return v === true ? t("consent_true") : v === false ? t("consent_false") : t("consent_null");
}

// conditions whose unknown outcome depends on `fact`, searched through children and routes
function whyMissing(p, fact) {
  const out = [];
  const walk = (conds) => {
    for (const c of conds || []) {
      const kids = c.conditions || [];
      if ((c.missing_facts || []).includes(fact) && !kids.some((k) => (k.missing_facts || []).includes(fact))) out.push(c);
      walk(kids);
    }
  };
  walk(p.conditions);
  for (const r of p.routes || []) walk(r.conditions);
  return out;
}

function missingList(p) {
  const facts = p.missing_facts || [];
  if (!facts.length) return el("p", { class: "missing-none", text: t("missing_none") });
  const ul = el("ul", { class: "missing" });
  for (const f of facts) {
    const li = el("li", { "data-fact": f }, el("strong", { text: fieldLabel(vocab, f) }), " ", el("code", { text: f }));
    const why = whyMissing(p, f);
    if (why.length) {
      const w = el("ul", { class: "why" });
      for (const c of why) w.append(el("li", {}, `${t("why")}${t("colon")}${c.label} `, badge(c.status), " ", cites(c.sources)));
      li.append(w);
    }
    ul.append(li);
  }
  return ul;
}

function conditionItem(c) {
  return el("li", { class: `cond st-${c.status}`, "data-condition": c.id, "data-status": c.status },
    badge(c.status), " ", el("span", { class: "cond-label", text: c.label }), " ", cites(c.sources),
    c.reached_on ? el("span", { class: "reached" }, ` — ${t("reached_on")} `, dateText(c.reached_on)) : null);
}

// ---- trainer tree ---------------------------------------------------------------------------
function treeNode(c) {
  const head = [badge(c.status), " ", el("span", { class: "cond-label", text: c.label }), " ", cites(c.sources)];
  const body = el("div", { class: "node-body" });
  if (c.facts?.length) body.append(el("p", { class: "node-facts" }, `${t("facts")}${t("colon")}`, ...c.facts.flatMap((f, i) => [i ? ", " : "", el("code", { text: f })])));
  if (c.missing_facts?.length) body.append(el("p", { class: "node-missing" }, `${t("missing")}${t("colon")}`, ...c.missing_facts.flatMap((f, i) => [i ? ", " : "", el("code", { text: f })])));
  if (c.reached_on || c.date) body.append(el("p", {}, `${t("reached_on")} `, dateText(c.reached_on || c.date)));
  for (const e of c.evidence || []) {
    body.append(el("div", { class: "evidence" }, el("code", { text: `${e.fact} = ${JSON.stringify(e.value)}` }),
      // the dated evidence in the page's language (evidence_en beside the French, issue 15 item 7)
      el("ul", {}, ...((getLang() === "en" && e.evidence_en) || e.evidence || []).map((x) => el("li", { text: x })))));
  }
  const kids = c.conditions || [];
  const li = el("li", { class: `node st-${c.status}`, "data-condition": c.id, "data-status": c.status });
  if (kids.length || body.childNodes.length) {
    const d = el("details", { open: kids.length > 0 }, el("summary", {}, ...head), body);
    if (kids.length) d.append(el("ul", { class: "tree" }, ...kids.map(treeNode)));
    li.append(d);
  } else {
    li.append(el("div", { class: "leaf" }, ...head));
  }
  return li;
}

function setAside(p) {
  const s = p.set_aside_by;
  if (!s) return null;
  const by = vocab.procedures.find((x) => x.code === s.by);
  return el("p", { class: "set-aside", "data-set-aside-by": s.by },
    el("strong", { text: `${t("set_aside")}${t("colon")}` }), `${t("set_aside_by")} ${by ? by[getLang()] : s.by} — ${s.reason} `, cites(s.sources));
}

function tree(p) {
  const box = el("section", { class: "trainer-tree trainer-only", "aria-label": `${t("tree_title")}${t("colon")}${procTitle(p)}` },
    el("h4", { text: t("tree_title") }));
  const root = el("ul", { class: "tree root" });
  const top = el("li", { class: `node st-${p.status}` });
  const d = el("details", { open: true }, el("summary", {}, badge(p.status), " ", el("strong", { text: procTitle(p) })),
    el("ul", { class: "tree" }, ...(p.conditions || []).map(treeNode)));
  for (const r of p.routes || []) {
    d.append(el("ul", { class: "tree" }, el("li", { class: `node route st-${r.status}`, "data-route": r.procedure },
      el("details", { open: true }, el("summary", {}, badge(r.status), " ", `${t("routes")}${t("colon")}${r.label?.fr ?? r.label ?? r.procedure}`,
        r.from ? [" — ", t("from").toLowerCase(), " ", dateText(r.from)] : null),
      setAside(r), el("ul", { class: "tree" }, ...(r.conditions || []).map(treeNode))))));
  }
  top.append(d);
  root.append(top);
  box.append(root);
  return box;
}

// ---- cards ----------------------------------------------------------------------------------
function card(p, caseId) {
  const key = `${caseId}-${p.procedure}-${p.state || "none"}`.replace(/[^\w-]/g, "_");
  const c = el("article", {
    class: `card st-${p.status}`, id: `card-${key}`, "data-procedure": p.procedure, "data-state": p.state ?? "",
    "data-status": p.status, "data-case": caseId, "aria-labelledby": `title-${key}`,
  });
  c.append(el("header", {}, el("h3", { id: `title-${key}`, text: procTitle(p) }), badge(p.status)));
  c.append(el("dl", { class: "when" },
    el("div", {}, el("dt", { text: t("from") }), el("dd", { "data-field": "from" }, dateText(p.from))),
    el("div", {}, el("dt", { text: untilText(p) }), el("dd", { "data-field": "until" }, dateText(p.until))),
    el("div", {}, el("dt", { text: t("consent") }), el("dd", { "data-field": "consent_required", "data-value": String(p.consent_required) }, consentText(p.consent_required, p)))));
  if (p.opens_by && p.routes?.length) {  // which path opens the procedure first (answer-format.md)
    const r = p.routes.find((x) => x.procedure === p.opens_by);
    c.append(el("p", { class: "opens-by", "data-opens-by": p.opens_by },
      `${t("opens_by")}${t("colon")}${r ? (r.label?.fr ?? r.label ?? r.procedure) : t("direct_path")}`));
  }
  if (p.state_considered_because?.length) c.append(el("p", { class: "because" }, `${t("because")}${t("colon")}${p.state_considered_because.join(", ")}`));
  if (p.basis?.length) c.append(el("p", { class: "basis", "data-field": "basis" }, p.basis.map((b) => b.label).join(` ${t("or")} `), " ", cites([...new Set(p.basis.flatMap((b) => b.sources))])));
  if (p.to_verify?.length) {  // shown open with the status (issue 12): what rests on inferred or unverified evidence
    c.append(el("details", { class: "to-verify", open: true }, el("summary", { text: `${t("to_verify")} (${p.to_verify.length})` }),
      el("ul", {}, ...p.to_verify.map((n) => el("li", { "data-fact": n.fact, text: n.note || n.fact })))));
  }
  const sa = setAside(p);
  if (sa) c.append(sa);
  c.append(el("h4", { class: "flat", text: t("conditions") }), el("ul", { class: "conditions flat" }, ...(p.conditions || []).map(conditionItem)));
  if (p.routes?.length) {
    c.append(el("h4", { text: t("routes") }), el("ul", { class: "routes" }, ...p.routes.map((r) => el("li", { "data-route": r.procedure, "data-status": r.status },
      badge(r.status), " ", r.label?.fr ?? r.label ?? r.procedure, r.from ? [" — ", t("from").toLowerCase(), " ", dateText(r.from)] : null, setAside(r)))));
  }
  c.append(el("h4", { text: t("missing") }), missingList(p));
  if (p.notes?.length) {
    c.append(el("details", { class: "notes" }, el("summary", { text: t("notes") }),
      el("ul", {}, ...p.notes.map((n) => el("li", {}, n.text, " ", cites(n.sources))))));
  }
  c.append(tree(p));
  c.append(el("p", { class: "all-sources" }, el("strong", { text: `${t("sources")}${t("colon")}` }), cites(p.sources)));
  return c;
}

function caseBlock(a) {
  const sec = el("section", { class: "case-answer", "data-case": a.case, "aria-label": `${t("case_label")} ${a.case}` });
  sec.append(el("h3", { class: "case-head" }, `${t("case_label")} ${a.case} — ${t("as_of")} `, dateText(a.as_of)));
  const kb = a.knowledge_base || {};
  sec.append(el("p", { class: "kb" }, `${t("kb")} ${kb.version ?? "?"} (${kb.sources_as_of ?? "?"})`));
  if (a.candidates) {
    sec.append(el("p", { class: "candidates" }, `${t("candidates")}${t("colon")}`,
      a.candidates.length ? a.candidates.map((c) => `${stateName(c.state)} (${c.because.join(", ")})`).join(" ; ") : t("no_state")));
  }
  const aside = a.procedures.flatMap((p) => [[procTitle(p), p], ...(p.routes || []).map((r) => [`${procTitle(p)} / ${r.label?.fr ?? r.label ?? r.procedure}`, r])])
    .filter(([, x]) => x.set_aside_by);
  sec.append(el("div", { class: "trainer-only set-aside-all" }, el("h4", { text: t("set_aside_title") }),
    aside.length ? el("ul", {}, ...aside.map(([title, x]) => el("li", {}, el("strong", { text: title }), " — ", setAside(x)))) : el("p", { text: t("set_aside_none") })));
  const grid = el("div", { class: "cards" });
  for (const p of a.procedures) grid.append(card(p, a.case));
  sec.append(grid);
  return sec;
}

/** Replace the content of `box` by the answer(s) `answer` (an object or an array). */
export function renderAnswer(box, answer, sentCase) {
  const list = Array.isArray(answer) ? answer : [answer];
  box.replaceChildren(...list.map(caseBlock));
  box.append(el("details", { class: "raw no-print" }, el("summary", { text: t("answer_json") }),
    el("pre", { id: "answer-json", text: JSON.stringify(answer, null, 1) })));
  if (sentCase !== undefined) {
    box.append(el("details", { class: "raw no-print" }, el("summary", { text: t("case_json") }),
      el("pre", { id: "case-json", text: JSON.stringify(sentCase, null, 1) })));
  }
}

/** Mark the cards that a what-if changes (class `changed`, a badge with the new status). */
export function markChanges(box, changes) {
  clearChanges(box);
  for (const ch of changes) {
    const sel = `.card[data-procedure="${CSS.escape(ch.procedure)}"][data-state="${CSS.escape(ch.state ?? "")}"]`;
    for (const c of box.querySelectorAll(sel)) {
      c.classList.add("changed");
      const after = typeof ch.after === "object" && ch.after ? ch.after.status : ch.after;
      c.dataset.whatif = after ?? "";
      c.querySelector("header").append(el("span", { class: "whatif-badge" }, t("whatif_badge", { status: after ? t(`st_${after}`) : "—" })));
    }
  }
}

export function clearChanges(box) {
  for (const c of box.querySelectorAll(".card.changed")) {
    c.classList.remove("changed");
    delete c.dataset.whatif;
    c.querySelector(".whatif-badge")?.remove();
  }
}
