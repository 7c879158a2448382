// The announcement (拍卖公告) under the bidding: the lot's terms, the schedule, the published priority
// holders; and the lot's documents (appraisal reports, photos).

import { categoryText, dateTime, fileSize, money, roundText, t, timeZone } from "../../i18n.js";
import { fill, h, loading } from "../../ui.js";

/** Builds the panel; returns {el, paint}. ``page``: {a, lot, reg, holders} (holders null until read). */
export function announcementPanel(page) {
  const el = h("section", { class: "panel announcement", "aria-label": t("announcement") });

  function paint() {
    const { a } = page;
    const l = page.lot || {};
    const rows = [
      [t("ann_court"), a.court],
      [t("ann_case_number"), l.case_number],
      [t("lot_category"), categoryText(a.category)],
      [t("filter_round"), roundText(a.round)],
      [t("ann_location"), l.location],
      [t("appraisal"), money(a.appraisal)],
      [t("ann_appraisal_method"), l.appraisal_method],
      [t("starting_price"), money(a.starting_price)],
      [t("increment"), money(a.increment)],
      [t("deposit"), money(a.deposit)],
      [t("ann_schedule"), biddingPeriod(a)],
      [t("ann_rules"), t("ann_rules_text", { ext_limit: extensionLimit(page.rules) })],
      [t("rules_in_force"), rulesInForce(page.rules)],
      [t("ann_priority"), priorityText(page)],
      [t("ann_defects"), l.defects],
      [t("ann_encumbrances"), l.encumbrances],
      [t("ann_taxes"), l.taxes],
      [t("ann_balance_deadline"), l.balance_deadline_days ? t("ann_balance_days", { n: l.balance_deadline_days }) : null],
      [t("ann_contact"), l.contact],
      [t("ann_description"), l.description],
    ];
    fill(
      el,
      h("h2", {}, t("announcement")),
      h(
        "dl",
        { class: "kv ann" },
        rows.map(([k, v]) => [h("dt", {}, k), h("dd", { class: v ? "" : "muted" }, v || t("not_stated"))]),
      ),
      h("p", { class: "muted small" }, t("extension_note")),
    );
  }

  return { el, paint };
}

/** Whether the soft close may extend without end (the law) or a research profile caps it. */
function extensionLimit(rules) {
  const cap = rules ? rules.extension_cap : null;
  return cap === null || cap === undefined ? t("ext_no_limit") : t("ext_limit", { n: cap });
}

/** The profile the service runs: the law, the sandbox, or a research profile named as an experiment. */
export function rulesInForce(rules) {
  if (!rules) return null;
  if (rules.profile === "judicial-2016") return t("rules_profile_law");
  if (rules.profile === "sandbox") return t("rules_profile_sandbox");
  const changes = Object.entries(rules.overrides || {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return h(
    "span",
    { class: "research-rules", "data-testid": "research-rules" },
    t("rules_profile_research", { name: rules.profile, base: rules.base, changes: changes || "—" }),
  );
}

function biddingPeriod(a) {
  return h(
    "span",
    { "data-testid": "bidding-period" },
    h("span", { class: "nowrap" }, dateTime(a.start_at, { seconds: false })),
    " — ",
    h("span", { class: "nowrap" }, dateTime(a.scheduled_end_at, { seconds: false })),
    " ",
    h("small", { class: "muted nowrap" }, `(${timeZone()})`),
  );
}

function priorityText({ reg, holders }) {
  const you = reg?.priority_rank ? h("div", { class: "small" }, t("ann_priority_you", { n: reg.priority_rank })) : null;
  if (holders === null) return you || t("loading");
  if (!holders.length) return you || t("not_published");
  return h(
    "div",
    { "data-testid": "priority-holders" },
    h(
      "ol",
      { class: "holders" },
      holders.map((p) =>
        h(
          "li",
          {},
          h("span", { class: "badge round" }, t("priority_rank_n", { n: p.rank })),
          " ",
          h("strong", {}, p.name || "—"),
          p.bidder_code ? h("span", { class: "muted small" }, ` (${t("priority_code", { code: p.bidder_code })})`) : null,
        ),
      ),
    ),
    you,
  );
}

/** The lot's documents: a list of files and a row of photo thumbnails. ``paint(documents)``: null while loading. */
export function documentsPanel() {
  const el = h("section", { class: "panel documents", "aria-label": t("documents"), "data-testid": "lot-documents" });

  function paint(documents) {
    const items = documents || [];
    const images = items.filter((d) => d.content_type.startsWith("image/"));
    const others = items.filter((d) => !d.content_type.startsWith("image/"));
    fill(
      el,
      h("h2", {}, t("documents"), " ", h("span", { class: "muted small" }, `(${items.length})`)),
      documents === null ? loading() : null,
      documents && !items.length ? h("p", { class: "empty" }, t("documents_none")) : null,
      others.length ? h("ul", { class: "doc-list" }, others.map(documentItem)) : null,
      images.length ? h("div", { class: "thumbs" }, images.map(thumbnail)) : null,
    );
  }

  return { el, paint };
}

function documentItem(d) {
  return h(
    "li",
    { "data-doc": String(d.id) },
    h("span", { class: "doc-icon", "aria-hidden": "true" }, "PDF"),
    h("a", { href: d.url, target: "_blank", rel: "noopener" }, d.filename),
    h("span", { class: "muted small" }, ` ${t(`doc_kind_${d.kind}`)} · ${fileSize(d.size)} · ${dateTime(d.uploaded_at, { seconds: false })}`),
  );
}

function thumbnail(d) {
  return h(
    "a",
    { class: "thumb", href: d.url, target: "_blank", rel: "noopener", title: d.filename, "data-doc": String(d.id) },
    h("img", { src: d.url, alt: d.filename, loading: "lazy" }),
    h("span", { class: "small" }, d.filename),
  );
}
