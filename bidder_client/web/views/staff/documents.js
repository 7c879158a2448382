// The lot's documents: the list, and the upload form (PDF appraisal reports, photos).

import { api } from "../../api.js";
import { errorText, fileSize, t } from "../../i18n.js";
import { errorBox, field, fill, h, loading } from "../../ui.js";

const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export function documentsPanel(lot) {
  const list = h("div", { class: "doc-admin", "data-testid": "staff-documents" }, loading());
  const file = h("input", {
    type: "file",
    name: "file",
    accept: "application/pdf,image/jpeg,image/png,image/webp",
    "data-testid": "doc-file",
  });
  const kind = h(
    "select",
    { name: "kind", "data-testid": "doc-kind" },
    ["appraisal_report", "photo", "other"].map((k) => h("option", { value: k }, t(`doc_kind_${k}`))),
  );
  file.addEventListener("change", () => {
    const f = file.files[0];
    if (f) kind.value = f.type === "application/pdf" ? "appraisal_report" : f.type.startsWith("image/") ? "photo" : "other";
  });
  const message = h("div", { class: "form-message", role: "alert", "data-testid": "doc-message" });
  const submit = h("button", { type: "submit", class: "btn primary" }, t("doc_upload"));

  async function load() {
    try {
      const { items } = await api.documents(lot.id);
      fill(
        list,
        items.length
          ? h(
              "ul",
              { class: "doc-list" },
              items.map((d) =>
                h(
                  "li",
                  { "data-doc": String(d.id) },
                  d.content_type.startsWith("image/")
                    ? h("img", { class: "mini", src: d.url, alt: "", loading: "lazy" })
                    : h("span", { class: "doc-icon", "aria-hidden": "true" }, "PDF"),
                  h("a", { href: d.url, target: "_blank", rel: "noopener" }, d.filename),
                  h("span", { class: "muted small" }, ` ${t(`doc_kind_${d.kind}`)} · ${fileSize(d.size)}`),
                ),
              ),
            )
          : h("p", { class: "empty" }, t("documents_none")),
      );
    } catch (err) {
      fill(list, errorBox(errorText(err)));
    }
  }
  load();

  return h(
    "section",
    { class: "panel", "data-testid": "documents" },
    h("h2", {}, t("documents")),
    list,
    h(
      "form",
      {
        "data-testid": "doc-upload",
        onsubmit: async (e) => {
          e.preventDefault();
          message.className = "form-message";
          message.textContent = "";
          const f = file.files[0];
          if (!f) return (message.textContent = t("doc_pick_file"));
          if (f.size === 0) return (message.textContent = errorText({ code: "empty_document" }));
          if (f.size > MAX_DOCUMENT_BYTES) return (message.textContent = errorText({ code: "document_too_large" }));
          submit.disabled = true;
          try {
            // "other": the server classifies the file by its content (it knows appraisal reports and photos)
            const doc = await api.uploadDocument(lot.id, f, kind.value === "other" ? null : kind.value);
            message.className = "form-message ok";
            message.textContent = t("doc_uploaded", { name: doc.filename });
            file.value = "";
            load();
          } catch (err) {
            message.textContent = errorText(err);
          } finally {
            submit.disabled = false;
          }
        },
      },
      field(t("doc_file"), file),
      field(t("doc_kind"), kind),
      message,
      submit,
    ),
  );
}
