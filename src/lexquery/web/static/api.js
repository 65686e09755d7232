// Calls to lexquery's HTTP API (docs/web.md). Every failure becomes an ApiError carrying the
// server's {message, where, expected, hint} so the page can say where and what to do.
import { t, getLang } from "./i18n.js";

export class ApiError extends Error {
  constructor(info, status) {
    super(info.message || String(status));
    this.info = info;
    this.status = status;
  }
}

// an error body in the page's language: every error has its English beside the French
// (message_en, expected_en, hint_en; docs/web.md), and so have its problems and errors
export function inLang(info) {
  if (getLang() !== "en" || !info || typeof info !== "object") return info;
  const en = { ...info };
  for (const k of ["message", "expected", "hint", "where"]) if (info[`${k}_en`]) en[k] = info[`${k}_en`];
  for (const k of ["problems", "errors"]) if (Array.isArray(info[k])) en[k] = info[k].map(inLang);
  return en;
}

async function call(method, url, body, headers = {}) {
  let res;
  try {
    res = await fetch(url, { method, body, headers: { Accept: "application/json", ...headers } });
  } catch (e) {
    throw new ApiError({ message: t("network_error") }, 0);
  }
  if (!res.ok) {
    let info = { message: `HTTP ${res.status}` };
    try {
      const data = await res.json();
      info = inLang(data.error || data);
    } catch (e) { /* not JSON: keep the status */ }
    throw new ApiError(info, res.status);
  }
  return res;
}

const json = (v) => JSON.stringify(v);
const JSON_HEADERS = { "Content-Type": "application/json" };

export async function vocabulary() {
  return (await call("GET", "/api/vocabulary")).json();
}

// the answer's words (conditions, notes, labels) come from the server: ask in the page's language
export async function ask(kase, lang = getLang()) {
  return (await call("POST", `/api/ask?lang=${lang}`, json(kase), JSON_HEADERS)).json();
}

export async function interview(body, lang) {
  return (await call("POST", `/api/interview?lang=${lang}`, json(body), JSON_HEADERS)).json();
}

export async function note(kase, format, lang) {
  return (await call("POST", `/api/note?format=${format}&lang=${lang}`, json(kase), JSON_HEADERS)).blob();
}

export async function parse(text, syntax) {
  return (await call("POST", `/api/parse?lang=${getLang()}`, json({ text, syntax }), JSON_HEADERS)).json();
}

export async function whatIf(kase, set, asOf) {
  const body = { case: kase, set };
  if (asOf) body.as_of = asOf;
  return (await call("POST", `/api/what-if?lang=${getLang()}`, json(body), JSON_HEADERS)).json();
}

export async function article(citation, at) {
  const params = new URLSearchParams({ lang: getLang() });
  if (at) params.set("at", at);
  return (await call("GET", `/api/articles/${encodeURIComponent(citation)}?${params}`)).json();
}

/** POST the CSV file as the body (Content-Type: text/csv — not multipart: the server takes only
 * content types that another site's page could not send without a CORS preflight); returns
 * {blob, filename, summary} where summary holds the X-… headers. */
export async function screen(file, asOf, format) {
  const params = new URLSearchParams({ format, lang: getLang() });   // the report in the page's language
  if (asOf) params.set("as_of", asOf);
  const res = await call("POST", `/api/screen?${params}`, file, { Accept: "*/*", "Content-Type": "text/csv" });
  const cd = res.headers.get("Content-Disposition") || "";
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  const filename = m ? decodeURIComponent(m[1]) : `screening.${format}`;
  const summary = [];
  res.headers.forEach((v, k) => { if (k.startsWith("x-") && !/^x-(content|frame)/.test(k)) summary.push([k, v]); });
  return { blob: await res.blob(), filename, summary };
}
