// The staff console's two restriction lists, kept apart (失信被执行人 / 限制消费, each entry with its case
// number, 案号): import a CSV (all or nothing: the bad rows are listed with their line numbers), see who is listed, and record a
// credit restoration (信用修复, with its reason, which the action log keeps). Identity numbers are never
// shown: the service keeps only their keyed hashes.

import { request } from "../api.js";
import { errorText, t } from "../i18n.js";
import { ask, errorBox, field, fill, h, loading, toast } from "../ui.js";

export function restrictionsPanel() {
  const file = h("input", { type: "file", accept: ".csv,text/csv,text/plain", "data-testid": "restr-file" });
  const message = h("div", { class: "form-message", role: "alert", "data-testid": "restr-message" });
  const list = h("div", { "data-testid": "restr-list" }, loading());

  async function reload() {
    try {
      const body = await request("GET", "/restrictions", { query: { limit: 200 } });
      if (!body.items.length) {
        fill(list, h("p", { class: "empty" }, t("restr_empty")));
        return;
      }
      fill(
        list,
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "table compact" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                [t("restr_name"), t("restr_list"), t("restr_case"), t("restr_court"), t("restr_date"), ""].map((c) => h("th", { scope: "col" }, c)),
              ),
            ),
            h(
              "tbody",
              {},
              body.items.map((p) =>
                h(
                  "tr",
                  { "data-person": String(p.id) },
                  h("td", {}, p.name),
                  h("td", { "data-testid": "restr-kind" }, t(`restr_list_${p.list}`)),
                  h("td", { "data-testid": "restr-case" }, p.case_number ?? "—"),
                  h("td", {}, p.court),
                  h("td", {}, p.restricted_on),
                  h(
                    "td",
                    {},
                    h("button", { type: "button", class: "btn small ghost", "data-testid": "restr-restore", onclick: () => restore(p) }, t("restr_restore")),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      fill(list, errorBox(errorText(e)));
    }
  }

  async function restore(person) {
    const reason = await ask(t("restr_reason_prompt"));
    if (!reason) return;
    try {
      await request("POST", `/restrictions/${person.id}/restore`, { body: { reason } });
      toast(t("restr_restored", { name: person.name }), "ok");
      await reload();
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  async function upload(e) {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    message.className = "form-message";
    fill(message);
    try {
      const r = await request("POST", "/restrictions/import", { form: chosen, headers: { "Content-Type": "text/csv" } });
      message.classList.add("ok");
      fill(message, t("restr_imported", r));
      file.value = "";
      await reload();
    } catch (err) {
      message.classList.add("error");
      const rows = err.extra?.rows || [];
      fill(
        message,
        rows.length ? t("restr_bad_rows", { n: err.extra.bad_rows ?? rows.length }) : errorText(err),
        rows.length
          ? h(
              "ol",
              { class: "bad-rows", "data-testid": "restr-errors" },
              rows.map((r) => h("li", {}, t("restr_line", r))),
            )
          : null,
      );
    }
  }

  reload();
  return h(
    "section",
    { class: "panel", "data-testid": "restrictions" },
    h("h2", {}, t("restr_title")),
    h("p", { class: "muted small" }, t("restr_hint")),
    h(
      "form",
      { onsubmit: upload, class: "row" },
      field(t("restr_file"), file),
      h("button", { type: "submit", class: "btn primary", "data-testid": "restr-import" }, t("restr_import")),
    ),
    message,
    list,
  );
}
