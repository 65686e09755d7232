// Reads GET /api/vocabulary (States, removal measure kinds, procedures, protection statuses,
// case-format fields with French and English labels) into one plain shape:
//   {states, kinds, procedures, protection: [{code, fr, en}], fields: [{path, type, fr, en}]}
// Lists may come as arrays of objects or as {code: {fr, en}} maps; both are accepted.
import { getLang } from "./i18n.js";

function labelOf(o, l) {
  if (o == null) return undefined;
  if (typeof o === "string") return o;
  for (const v of [o.label, o.labels, o.name, o.names]) {
    if (v && typeof v === "object" && v[l]) return v[l];
    if (typeof v === "string" && l === "fr") return v;
  }
  return o[l] ?? o[`label_${l}`] ?? o[`name_${l}`];
}

function items(x) {
  if (!x) return [];
  const entries = Array.isArray(x)
    ? x.map((o) => [typeof o === "string" ? o : (o.code ?? o.id ?? o.value ?? o.kind ?? o.path), o])
    : Object.entries(x);
  return entries.map(([code, o]) => {
    const fr = labelOf(o, "fr") ?? code;
    return { code, fr, en: labelOf(o, "en") ?? fr, type: o && typeof o === "object" ? (o.type ?? o.kind_of ?? null) : null, raw: o };
  });
}

const pick = (v, ...names) => names.map((n) => v[n]).find((x) => x != null);

export function normalise(v) {
  const fields = items(pick(v, "fields", "case_fields", "case_format")).map((f) => ({ path: f.code, type: f.type, fr: f.fr, en: f.en }));
  return {
    states: items(pick(v, "states", "countries")),
    kinds: items(pick(v, "removal_kinds", "removal_measure_kinds", "removal_measures", "measure_kinds", "kinds")),
    procedures: items(pick(v, "procedures")),
    protection: items(pick(v, "protection", "protection_statuses", "protections")),
    fields,
  };
}

/** The label of `code` in list `list` of the vocabulary, in the page's language. */
export function label(list, code) {
  const it = list.find((x) => x.code === code);
  return it ? it[getLang()] : code;
}

/** The label of a case-format field; indices in paths (`removal_measures[0].kind`) are ignored. */
export function fieldLabel(vocab, path) {
  const bare = path.replace(/\[\d*\]/g, "[]");
  const f = vocab.fields.find((x) => x.path === path || x.path === bare || x.path === path.split("[")[0]);
  return f ? f[getLang()] : path;
}
