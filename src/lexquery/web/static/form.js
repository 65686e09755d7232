// The case form, built from the case-format fields of GET /api/vocabulary
// (docs/case-format.md): one widget per field type, every fillable field
// allowed to stay « inconnu » (an empty widget is an absent key, never false), removal
// measures, convictions and nationalities repeatable. readCase() gives the JSON case;
// fillCase() puts a case (e.g. one parsed from pasted text) back into the widgets.
import { t, getLang } from "./i18n.js";
import { label } from "./vocab.js";

// Sub-fields of the list items, used when the vocabulary does not list them itself.
const SUBFIELDS = {
  removal_measures: [
    ["kind", "kind", "nature", "kind"], ["definitive", "bool", "définitive (ITF)", "definitive (ITF)"],
    ["destination", "state", "destination", "destination"], ["enforceable", "bool", "exécutoire", "enforceable"],
    ["remedies_exhausted", "bool", "recours épuisés", "remedies exhausted"],
  ],
  "sentence.convictions": [
    ["court", "str", "juridiction", "court"], ["date", "date", "date", "date"],
    ["final", "bool", "définitive", "final"], ["total", "duration", "durée", "length"],
  ],
};
const LIST_TYPES = { measure: "removal_measures", conviction: "sentence.convictions" };

let vocab = null;
let form = null;
let counter = 0;

const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null) e.append(k);
  return e;
};
export { el };

const idOf = (path) => "f-" + path.replace(/[.[\]]+/g, "-").replace(/-$/, "");
const lbl = (f) => f[getLang()] ?? f.fr ?? f.path;

function subfields(listPath) {
  const own = vocab.fields.filter((f) => f.path.startsWith(`${listPath}[].`) || f.path.startsWith(`${listPath}.`) && f.path !== listPath);
  if (own.length) return own.map((f) => ({ key: f.path.split(".").pop(), type: f.type, fr: f.fr, en: f.en }));
  return SUBFIELDS[listPath].map(([key, type, fr, en]) => ({ key, type, fr, en }));
}

// ---- widgets ---------------------------------------------------------------------------------
function selectWidget(id, options, labelText, describedBy) {
  const s = el("select", { id, name: id, "aria-describedby": describedBy });
  s.append(el("option", { value: "", text: `— ${t("unknown")} —` }));
  for (const [v, text] of options) s.append(el("option", { value: v, text }));
  return [el("label", { for: id, text: labelText }), s];
}

const stateOptions = () => [...vocab.states]
  .sort((a, b) => a[getLang()].localeCompare(b[getLang()], getLang()))
  .map((s) => [s.code, `${s[getLang()]} (${s.code})`]);

function durationWidget(id, labelText) {
  return el("fieldset", { class: "duration", id, "data-widget": "duration" },
    el("legend", { text: labelText }),
    el("label", { for: `${id}-y` }, t("years")), el("input", { id: `${id}-y`, type: "number", min: "0", max: "99", inputmode: "numeric" }),
    el("label", { for: `${id}-m` }, t("months")), el("input", { id: `${id}-m`, type: "number", min: "0", max: "999", inputmode: "numeric" }),
    el("span", { class: "check" }, el("input", { id: `${id}-life`, type: "checkbox" }), el("label", { for: `${id}-life`, text: t("life") })));
}

/** One field: returns the element(s) and marks the value holder with data-path/data-type. */
function widget(path, type, labelText) {
  const id = idOf(path);
  let node;
  switch (type) {
    case "bool":
      node = el("div", { class: "field" }, ...selectWidget(id, [["true", t("yes")], ["false", t("no")]], labelText));
      break;
    case "state":
      node = el("div", { class: "field" }, ...selectWidget(id, stateOptions(), labelText));
      break;
    case "protection":
      node = el("div", { class: "field" }, ...selectWidget(id, vocab.protection.map((p) => [p.code, p[getLang()]]), labelText));
      break;
    case "kind":
      node = el("div", { class: "field" }, ...selectWidget(id, vocab.kinds.map((k) => [k.code, k[getLang()] && k[getLang()] !== k.code ? `${k.code} — ${k[getLang()]}` : k.code]), labelText));
      break;
    case "date":
      node = el("div", { class: "field" }, el("label", { for: id, text: labelText }), el("input", { id, type: "date" }));
      break;
    case "date_or_none":
      node = el("div", { class: "field" }, el("label", { for: id, text: labelText }), el("input", { id, type: "date" }),
        el("span", { class: "check" }, el("input", { id: `${id}-none`, type: "checkbox" }), el("label", { for: `${id}-none`, text: t("no_safety") })));
      break;
    case "duration":
      node = el("div", { class: "field wide" }, durationWidget(id, labelText));
      break;
    case "id":
      node = el("div", { class: "field" }, el("label", { for: id, text: labelText }), el("input", { id, type: "text", required: true, autocomplete: "off" }));
      break;
    case "str":
      node = el("div", { class: "field" }, el("label", { for: id, text: labelText }), el("input", { id, type: "text", autocomplete: "off" }));
      break;
    case "states":
      node = listWidget(path, labelText, "states");
      break;
    case "measure":
    case "conviction":
      node = listWidget(path, labelText, type);
      break;
    default:
      return null; // json (extensions) and unknown types are not offered in the form
  }
  node.dataset.path = path;
  node.dataset.type = type;
  return node;
}

// ---- repeatable lists ------------------------------------------------------------------------
function listWidget(path, labelText, type) {
  const id = idOf(path);
  const rows = el("div", { class: "rows", id: `${id}-rows` });
  const noneText = type === "states" ? t("stateless") : type === "measure" ? t("no_measure") : null;
  const itemName = type === "states" ? t("nationality_n") : type === "measure" ? t("measure_n") : t("conviction_n");
  const add = el("button", { type: "button", class: "add", id: `${id}-add` }, `+ ${t("add")}${t("colon")}${itemName.toLowerCase()}`);
  const box = el("fieldset", { class: "list field wide", id },
    el("legend", { text: labelText }), rows, add,
    noneText && el("span", { class: "check" }, el("input", { id: `${id}-none`, type: "checkbox" }), el("label", { for: `${id}-none`, text: noneText })));
  add.addEventListener("click", () => { const r = addRow(box, type, path, itemName); r.querySelector("select,input")?.focus(); });
  const none = box.querySelector(`#${id}-none`);
  none?.addEventListener("change", () => { if (none.checked) rows.replaceChildren(); add.disabled = none.checked; });
  return box;
}

function addRow(box, type, path, itemName) {
  const rows = box.querySelector(".rows");
  const n = rows.children.length;
  const rid = `${idOf(path)}-${counter++}`;
  const row = type === "states"
    ? el("div", { class: "row compact", "data-row": "" })
    : el("fieldset", { class: "row", "data-row": "" }, el("legend", { text: `${itemName} ${n + 1}` }));
  if (type === "states") {
    const w = widget(`${rid}`, "state", `${itemName} ${n + 1}`);
    w.dataset.key = "";
    row.append(w);
  } else {
    for (const sf of subfields(LIST_TYPES[type])) {
      const w = widget(`${rid}.${sf.key}`, sf.type, sf[getLang()]);
      if (!w) continue;
      w.dataset.key = sf.key;
      row.append(w);
    }
  }
  const rm = el("button", { type: "button", class: "remove" }, `× ${t("remove")}`);
  rm.setAttribute("aria-label", `${t("remove")}${t("colon")}${itemName} ${n + 1}`);
  rm.addEventListener("click", () => { row.remove(); renumber(rows, itemName); box.querySelector(".add").focus(); });
  row.append(rm);
  rows.append(row);
  return row;
}

function renumber(rows, itemName) {
  [...rows.children].forEach((r, i) => {
    const head = r.querySelector(":scope > legend") || r.querySelector("label");
    head.textContent = `${itemName} ${i + 1}`;
  });
}

// ---- building -------------------------------------------------------------------------------
/** The label of sub-field `key` of list `listPath` (e.g. removal_measures, definitive). */
export function subLabel(listPath, key) {
  const f = subfields(listPath).find((x) => x.key === key);
  return f ? f[getLang()] : key;
}

export function buildForm(container, v) {
  vocab = v;
  form = container;
  const keep = form.querySelector(".actions");
  form.replaceChildren();
  form.append(el("p", { class: "hint", id: "unknown-hint", text: t("unknown_hint") }));
  let group = el("fieldset", { class: "section" }, el("legend", { text: t("case_label") }));
  form.append(group);
  for (const f of vocab.fields) {
    if (f.path.includes("[") || (f.path.includes(".") && Object.keys(SUBFIELDS).some((l) => f.path.startsWith(`${l}.`)))) continue;
    if (f.type === "section") {
      group = el("fieldset", { class: "section", id: idOf(f.path) }, el("legend", { text: lbl(f) }));
      form.append(group);
      continue;
    }
    const w = widget(f.path, f.type, f.path === "as_of" ? `${lbl(f)} (${t("as_of_hint")})` : lbl(f));
    if (!w) continue;
    if (!f.path.includes(".") && !["id", "as_of"].includes(f.path)) {
      if (f.type === "measure") { w.classList.add("section"); form.append(w); continue; }
      if (group.id !== "f-other") {
        group = el("fieldset", { class: "section", id: "f-other" }, el("legend", { text: t("other_facts") }));
        form.append(group);
      }
    }
    group.append(w);
  }
  if (keep) form.append(keep);
}

// ---- reading --------------------------------------------------------------------------------
function readWidget(w) {
  const id = w.querySelector("[id]")?.id;
  switch (w.dataset.type) {
    case "bool": { const v = w.querySelector("select").value; return v === "" ? undefined : v === "true"; }
    case "state": case "protection": case "kind": case "str": case "id": case "date": {
      const v = w.querySelector("select,input").value.trim();
      return v === "" ? undefined : v;
    }
    case "date_or_none": {
      if (w.querySelector("input[type=checkbox]").checked) return "none";
      return w.querySelector("input[type=date]").value || undefined;
    }
    case "duration": {
      const fs = w.querySelector("fieldset.duration");
      if (fs.querySelector(`#${fs.id}-life`).checked) return "life";
      const y = parseInt(fs.querySelector(`#${fs.id}-y`).value, 10) || 0;
      const m = parseInt(fs.querySelector(`#${fs.id}-m`).value, 10) || 0;
      if (!y && !m) return undefined;
      return `P${y ? `${y}Y` : ""}${m ? `${m}M` : ""}`;
    }
    case "states": case "measure": case "conviction": {
      const rows = [...w.querySelectorAll(":scope > .rows > [data-row]")];
      const none = w.querySelector(`#${id}-none`) || w.querySelector(":scope > .check input");
      if (!rows.length) return none?.checked ? [] : undefined;
      if (w.dataset.type === "states") return rows.map((r) => readWidget(r.querySelector("[data-type]"))).filter((x) => x !== undefined);
      return rows.map((r) => {
        const o = {};
        for (const sw of r.querySelectorAll(":scope > [data-key]")) {
          const v = readWidget(sw);
          if (v !== undefined) o[sw.dataset.key] = v;
        }
        return o;
      });
    }
    default: return undefined;
  }
}

function setPath(o, path, v) {
  const parts = path.split(".");
  let d = o;
  for (const p of parts.slice(0, -1)) d = d[p] ??= {};
  d[parts.at(-1)] = v;
}

export function getPath(o, path) {
  return path.split(".").reduce((d, k) => (d && typeof d === "object" ? d[k] : undefined), o);
}

/** The case in the JSON case format: unknown widgets give absent keys. */
export function readCase() {
  const c = {};
  for (const w of form.querySelectorAll("[data-path]")) {
    if (w.closest("[data-row]")) continue;
    const v = readWidget(w);
    if (v !== undefined) setPath(c, w.dataset.path, v);
  }
  return c;
}

// ---- filling --------------------------------------------------------------------------------
function fillWidget(w, v) {
  switch (w.dataset.type) {
    case "bool": w.querySelector("select").value = v === true ? "true" : v === false ? "false" : ""; break;
    case "state": case "protection": case "kind": case "str": case "id": case "date": {
      const inp = w.querySelector("select,input");
      if (inp.tagName === "SELECT" && v != null && ![...inp.options].some((o) => o.value === v)) inp.append(el("option", { value: v, text: v }));
      inp.value = v ?? "";
      break;
    }
    case "date_or_none":
      w.querySelector("input[type=checkbox]").checked = v === "none";
      w.querySelector("input[type=date]").value = v && v !== "none" ? v : "";
      break;
    case "duration": {
      const fs = w.querySelector("fieldset.duration");
      const m = /^P(?:(\d+)Y)?(?:(\d+)M)?$/.exec(v || "");
      fs.querySelector(`#${fs.id}-life`).checked = v === "life";
      fs.querySelector(`#${fs.id}-y`).value = m && m[1] ? m[1] : "";
      fs.querySelector(`#${fs.id}-m`).value = m && m[2] ? m[2] : "";
      break;
    }
    case "states": case "measure": case "conviction": {
      const rows = w.querySelector(":scope > .rows");
      rows.replaceChildren();
      const none = w.querySelector(":scope > .check input");
      if (none) { none.checked = Array.isArray(v) && v.length === 0; w.querySelector(":scope > .add").disabled = none.checked; }
      const itemName = w.dataset.type === "states" ? t("nationality_n") : w.dataset.type === "measure" ? t("measure_n") : t("conviction_n");
      for (const item of Array.isArray(v) ? v : []) {
        const r = addRow(w, w.dataset.type, w.dataset.path, itemName);
        if (w.dataset.type === "states") fillWidget(r.querySelector("[data-type]"), item);
        else for (const sw of r.querySelectorAll(":scope > [data-key]")) fillWidget(sw, item?.[sw.dataset.key]);
      }
      break;
    }
    default: break;
  }
}

export function fillCase(c) {
  for (const w of form.querySelectorAll("[data-path]")) {
    if (w.closest("[data-row]")) continue;
    fillWidget(w, getPath(c, w.dataset.path));
  }
}

export function clearForm() { fillCase({}); }
