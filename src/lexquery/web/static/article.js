// The article panel: GET /api/articles/{citation} shown in a modal <dialog> (focus kept
// inside, Escape closes): number, title, version and validity, alinéas (the cited one
// highlighted), source link, confidence, notes, what it cites and what cites it — each
// cross-reference clickable in turn, with a Back button through the visited articles.
import { t, getLang } from "./i18n.js";
import { el } from "./form.js";
import { dateText } from "./answer.js";
import * as api from "./api.js";

let dialog, body, title, backBtn, opener = null;
const history = [];
let at = null;

export function setupArticle(dlg) {
  dialog = dlg;
  body = dlg.querySelector(".article-body");
  title = dlg.querySelector("#article-title");
  backBtn = dlg.querySelector(".back");
  dlg.querySelector(".close").addEventListener("click", () => dialog.close());
  backBtn.addEventListener("click", () => { history.pop(); const prev = history.pop(); if (prev) show(prev); });
  dlg.addEventListener("close", () => { history.length = 0; opener?.focus(); });
  dlg.addEventListener("click", (e) => { if (e.target === dlg) dialog.close(); }); // click on the backdrop
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a.cite, button.cite");
    if (!a || !a.dataset.citation) return;
    e.preventDefault();
    if (!dialog.open) opener = a;
    show(a.dataset.citation);
  });
}

/** The date the article versions are read at (the answer's as_of). */
export function setDate(d) { at = d; }

function refButton(citation, inKb = true) {
  if (!inKb) return el("span", { class: "ref-out", title: t("not_in_kb") }, `${citation} (${t("not_in_kb")})`);
  return el("button", { type: "button", class: "cite linklike", "data-citation": citation, text: citation });
}

function refList(head, list, cls) {
  if (!list?.length) return null;
  const ul = el("ul", { class: `refs ${cls}` });
  for (const r of list) ul.append(el("li", {}, typeof r === "string" ? refButton(r) : refButton(r.citation, r.in_kb !== false)));
  return el("section", { class: cls }, el("h3", { text: head }), ul);
}

function versionLine(v) {
  const p = el("p", { class: "version" }, el("strong", { text: `${t("version")} ${v.id ?? ""}${t("colon")}` }));
  // four cases, each a sentence (never « du date inconnue au à ce jour »)
  if (v.repealed && !v.valid_until) p.append(v.valid_from ? `${t("valid_from")} ` : "", v.valid_from ? dateText(v.valid_from) : "", ` — ${t("valid_repealed")}`);
  else if (v.valid_from && !v.valid_until) p.append(`${t("valid_since")} `, dateText(v.valid_from));
  else if (v.valid_from) p.append(`${t("valid_from")} `, dateText(v.valid_from), ` ${t("valid_to")} `, dateText(v.valid_until));
  else if (v.valid_until) p.append(`${t("valid_until")} `, dateText(v.valid_until), ` (${t("valid_start_unknown")})`);
  else p.append(`${t("valid_no_dates")} (${t("valid_start_unknown")})`);
  if (v.valid_on_date === false) p.append(el("span", { class: "warn" }, ` — ${t("not_valid_on_date")}`));
  return p;
}

function render(a) {
  const titleText = typeof a.title === "object" && a.title ? (a.title[getLang()] || a.title.fr) : a.title;
  title.textContent = `${a.citation}${titleText ? ` — ${titleText}` : ""}`;
  const v = a.version || {};
  const out = [];
  if (a.asked && a.asked !== a.citation) out.push(el("p", { class: "asked" }, `${t("article_title")}${t("colon")}`, el("strong", { text: a.asked })));
  if (a.hierarchy?.length) out.push(el("p", { class: "hierarchy", text: a.hierarchy.join(" › ") }));
  out.push(versionLine(v));
  const meta = el("ul", { class: "meta" });
  if (v.amended_by) meta.append(el("li", { text: `${t("amended_by")}${t("colon")}${v.amended_by}` }));
  if (v.confidence) meta.append(el("li", {}, `${t("confidence")}${t("colon")}`, el("strong", { text: v.confidence }), v.confidence_note ? ` — ${v.confidence_note}` : ""));
  if (v.truncated) meta.append(el("li", { class: "warn", text: t("truncated") }));
  if (v.translation) meta.append(el("li", { class: "warn", text: t("translation") }));
  if (v.legiarti || a.legiarti) meta.append(el("li", { text: `LEGIARTI : ${v.legiarti || a.legiarti}` }));
  out.push(meta);
  if (v.source) out.push(el("p", { class: "source" }, el("a", { href: v.source, rel: "noopener noreferrer", target: "_blank", text: t("source_link") }), " ", el("span", { class: "url", text: v.source })));
  const ol = el("ol", { class: "paragraphs" });
  for (const para of v.paragraphs || []) {
    const li = el("li", { class: para.highlight ? "highlight" : null, "data-n": para.n, value: para.n },
      para.label ? el("strong", { text: `${para.label} ` }) : null, para.text || "");
    if (para.highlight) li.setAttribute("aria-current", "true");
    if (para.refs?.length) li.append(el("span", { class: "para-refs" }, " → ", ...para.refs.flatMap((r, i) => [i ? ", " : "", refButton(typeof r === "string" ? r : r.citation)])));
    ol.append(li);
  }
  out.push(el("section", { class: "text" }, ol));
  if (v.notes?.length) out.push(el("section", { class: "art-notes" }, el("h3", { text: t("art_notes") }), el("ul", {}, ...v.notes.map((n) => el("li", { text: n.text || n })))));
  out.push(refList(t("cites"), a.cites, "cites-list"));
  out.push(refList(t("cited_by"), a.cited_by, "cited-by-list"));
  if (a.rules?.length) {
    const seen = new Set();
    const rules = a.rules.filter((r) => !seen.has(r.rule) && seen.add(r.rule));
    out.push(el("section", { class: "rules" }, el("h3", { text: t("rules") }), el("ul", {}, ...rules.map((r) => el("li", {}, el("code", { text: r.rule }), ` (${r.file})`)))));
  }
  if (a.open_questions?.length) out.push(el("section", { class: "open-questions" }, el("h3", { text: t("open_questions") }), el("ul", {}, ...a.open_questions.map((q) => el("li", { text: q.text || q })))));
  body.replaceChildren(...out.filter(Boolean));
}

export async function show(citation) {
  history.push(citation);
  backBtn.hidden = history.length < 2;
  dialog.dataset.citation = citation;
  title.textContent = citation;
  body.replaceChildren(el("p", { class: "loading", text: t("loading_article") }));
  if (!dialog.open) dialog.showModal();
  try {
    const a = await api.article(citation, at);
    if (dialog.dataset.citation !== citation) return;
    render(a);
  } catch (e) {
    const info = e.info || { message: String(e) };
    body.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", { text: info.message }),
      info.hint ? el("p", { text: `${t("hint")}${t("colon")}${info.hint}` }) : null));
  }
  dialog.querySelector(".close").focus();
}
