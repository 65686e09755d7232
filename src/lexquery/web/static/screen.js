// Screening of a registry export (docs/screening-csv.md): the CSV file is
// posted to /api/screen, the report is offered as a download, the summary headers shown.
import { t } from "./i18n.js";
import { el } from "./form.js";
import * as api from "./api.js";

let lastUrl = null;

export function setupScreen(form) {
  const out = form.querySelector(".screen-result");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = form.querySelector("#screen-file").files[0];
    if (!file) { form.querySelector("#screen-file").focus(); return; }
    out.replaceChildren(el("p", { text: t("screen_running") }));
    try {
      const r = await api.screen(file, form.querySelector("#screen-as-of").value, form.querySelector("#screen-format").value);
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(r.blob);
      const a = el("a", { href: lastUrl, download: r.filename, id: "screen-download", class: "button", text: t("screen_download", { name: r.filename }) });
      const dl = el("dl", { class: "summary" });
      for (const [k, v] of r.summary) dl.append(el("div", {}, el("dt", { text: k.replace(/^x-(lexquery-)?/, "") }), el("dd", { text: v })));
      out.replaceChildren(el("p", { text: t("screen_done") }), a, r.summary.length ? el("h3", { text: t("screen_summary") }) : null, dl);
      a.focus();
    } catch (err) {
      const info = err.info || { message: String(err) };
      out.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", { text: info.message }),
        info.where ? el("p", { text: `${t("where")}${t("colon")}${info.where}` }) : null, info.hint ? el("p", { text: `${t("hint")}${t("colon")}${info.hint}` }) : null));
    }
  });
}
