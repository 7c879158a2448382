// Court staff: the deadlines desk, the court's lots, a new lot, and one lot's rounds (schedule with the
// listing rules checked in the form, postpone / suspend / resume / withdraw, settle, result), the lot's
// action log (全程留痕), corrections to its announcement before bidding opens, and each auction's case file.

import { api, apiUrl, clock, confirmationUrls, request, session } from "../api.js";
import {
  CATEGORIES,
  categoryText,
  dateTime,
  errorText,
  fileSize,
  money,
  parseYuan,
  percent,
  roundText,
  statusText,
  t,
  timeZone,
  yuanInput,
} from "../i18n.js";
import { go } from "../router.js";
import { restrictionsPanel } from "./restrictions.js";
import { ask, categoryBadge, clear, errorBox, field, fill, h, loading, roundBadge, statusBadge, toast } from "../ui.js";

const REAL_ESTATE_LIKE = new Set(["residential", "commercial", "land", "equity"]);
const DAY = 86400000;
const RELIST_WITHIN_DAYS = 30; // Art. 26: a re-auction is announced within 30 days of the failure (judicial rules)

function requireStaff(main) {
  const auth = session();
  if (auth?.role === "staff") return auth;
  main.append(
    h(
      "p",
      { class: "alert info" },
      auth ? t("need_staff") : t("need_login"),
      " ",
      auth ? null : h("a", { href: "#/login?next=%2Fstaff" }, t("nav_login")),
    ),
  );
  return null;
}

async function rulesName() {
  if (!clock.rules) await clock.sync();
  return clock.rules || "judicial-2016";
}

// ================================================================ the court's lots
export async function renderStaff(main, _params, ctx) {
  const auth = requireStaff(main);
  if (!auth) return;
  const me = await api.me().catch(() => ({ court: auth.court }));
  const court = me.court || auth.court || "";
  const rules = await rulesName();
  if (!ctx.alive) return;
  const lotsPanel = h("section", { class: "panel" }, h("h2", {}, t("staff_lots")), loading());
  main.append(
    h("h1", {}, t("staff_title")),
    h("p", { class: "muted" }, court, " · ", t("rules_profile", { name: rules })),
    deadlinesDesk((courtId) => main.append(courtLogPanel(courtId))),
    h("div", { class: "staff-layout" }, lotsPanel, newLotForm()),
    restrictionsPanel(), // issue 13: the restriction list (views/restrictions.js)
  );

  try {
    const [lots, auctions] = await Promise.all([
      api.lots({ court, limit: 500 }),
      api.auctions({ court, limit: 500 }),
    ]);
    if (!ctx.alive) return;
    const latest = new Map();
    for (const a of auctions.items) if (!latest.has(a.lot_id) || latest.get(a.lot_id).id < a.id) latest.set(a.lot_id, a);
    const rows = lots.items.map((l) => {
      const a = latest.get(l.id);
      return h(
        "tr",
        { "data-lot": String(l.id) },
        h("td", { "data-label": "#" }, `#${l.id}`),
        h(
          "td",
          { "data-label": t("lot_title") },
          h(
            "div",
            {}, // one cell's value (a phone's card shows the label beside it)
            h("a", { href: `#/staff/lot/${l.id}` }, l.title),
            h("div", { class: "muted small" }, [l.case_number, l.location].filter(Boolean).join(" · ")),
          ),
        ),
        h("td", { "data-label": t("lot_category") }, categoryBadge(l.category)),
        h("td", { class: "num", "data-label": t("appraisal") }, money(l.appraisal)),
        h(
          "td",
          { "data-label": t("lot_auctions") },
          a ? h("span", { class: "badges" }, roundBadge(a.round), statusBadge(a.status)) : h("span", { class: "muted" }, "—"),
        ),
      );
    });
    fill(
      lotsPanel,
      h("h2", {}, t("staff_lots")),
      rows.length
        ? h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "table stack", "data-testid": "staff-lots" }, // one card per lot on a phone
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["#", t("lot_title"), t("lot_category"), t("appraisal"), t("lot_auctions")].map((c, i) =>
                    h("th", { scope: "col", class: i === 3 ? "num" : null }, c),
                  ),
                ),
              ),
              h("tbody", {}, rows),
            ),
          )
        : h("p", { class: "empty" }, t("no_lots")),
    );
  } catch (e) {
    fill(lotsPanel, errorBox(errorText(e)));
  }
}

function newLotForm() {
  const title = h("input", { name: "title", required: true, maxlength: "300" });
  const category = h(
    "select",
    { name: "category" },
    CATEGORIES.map((c) => h("option", { value: c }, categoryText(c))),
  );
  const appraisal = h("input", { name: "appraisal", required: true, inputmode: "decimal", placeholder: "1000000.00" });
  const text = (name, area = false) =>
    area ? h("textarea", { name, rows: "2", maxlength: "20000" }) : h("input", { name, maxlength: "300" });
  const caseNumber = text("case_number");
  const location = text("location");
  const method = text("appraisal_method");
  const defects = text("defects", true);
  const encumbrances = text("encumbrances", true);
  const taxes = text("taxes", true);
  const deadline = h("input", { name: "balance_deadline_days", type: "number", min: "1", max: "365", value: "10" });
  const contact = text("contact");
  const description = text("description", true);
  const message = h("div", { class: "form-message", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn primary block" }, t("create_lot"));
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("staff_new_lot")),
    h(
      "form",
      {
        "data-testid": "new-lot",
        onsubmit: async (e) => {
          e.preventDefault();
          message.textContent = "";
          const fen = parseYuan(appraisal.value);
          if (fen === null) {
            message.textContent = t("err_amount_format");
            appraisal.focus();
            return;
          }
          const body = { title: title.value.trim(), category: category.value, appraisal: fen };
          const optional = {
            case_number: caseNumber,
            location,
            appraisal_method: method,
            defects,
            encumbrances,
            taxes,
            contact,
            description,
          };
          for (const [k, el] of Object.entries(optional)) if (el.value.trim()) body[k] = el.value.trim();
          if (deadline.value) body.balance_deadline_days = Number(deadline.value);
          submit.disabled = true;
          try {
            const lot = await api.createLot(body);
            toast(t("lot_created"), "ok");
            go(`/staff/lot/${lot.id}`);
          } catch (err) {
            message.textContent = errorText(err);
            submit.disabled = false;
          }
        },
      },
      field(t("lot_title"), title),
      h("div", { class: "grid-2" }, field(t("lot_category"), category), field(t("lot_appraisal"), appraisal)),
      h("div", { class: "grid-2" }, field(t("ann_case_number"), caseNumber), field(t("ann_location"), location)),
      field(t("ann_appraisal_method"), method),
      field(t("ann_defects"), defects),
      field(t("ann_encumbrances"), encumbrances),
      field(t("ann_taxes"), taxes),
      h("div", { class: "grid-2" }, field(`${t("ann_balance_deadline")} (d)`, deadline), field(t("ann_contact"), contact)),
      field(t("ann_description"), description),
      message,
      submit,
    ),
  );
}

// ================================================================ one lot
export async function renderStaffLot(main, [idText], ctx) {
  const auth = requireStaff(main);
  if (!auth) return;
  const id = Number(idText);
  main.append(loading());
  let lot;
  let rules;
  try {
    [lot, rules] = await Promise.all([api.lot(id), rulesName()]);
  } catch (e) {
    fill(main, errorBox(errorText(e)));
    return;
  }
  if (!ctx.alive) return;
  clear(main);
  const reload = () => go(`/staff/lot/${id}`);

  main.append(
    h("a", { href: "#/staff", class: "back" }, `← ${t("staff_title")}`),
    h("h1", {}, lot.title),
    h("p", { class: "muted" }, [lot.court, lot.case_number, t("lot_no", { id })].filter(Boolean).join(" · ")),
  );
  const layout = h("div", { class: "staff-layout" });
  main.append(layout);
  const left = h("div", {});
  const right = h("div", {});
  layout.append(left, right);

  // the rounds
  const rows = lot.auctions.map((a) => auctionRow(a, reload));
  left.append(
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("lot_auctions")),
      rows.length
        ? h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "table", "data-testid": "lot-auctions" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  [t("filter_round"), t("my_state"), t("ann_schedule"), t("starting_price"), t("current_price"), t("staff_actions")].map(
                    (c) => h("th", { scope: "col" }, c),
                  ),
                ),
              ),
              h("tbody", {}, rows),
            ),
          )
        : h("p", { class: "empty" }, "—"),
    ),
  );

  // the announcement
  const ann = [
    [t("lot_category"), categoryText(lot.category)],
    [t("appraisal"), money(lot.appraisal)],
    [t("ann_appraisal_method"), lot.appraisal_method],
    [t("ann_location"), lot.location],
    [t("ann_defects"), lot.defects],
    [t("ann_encumbrances"), lot.encumbrances],
    [t("ann_taxes"), lot.taxes],
    [t("ann_balance_deadline"), lot.balance_deadline_days ? t("ann_balance_days", { n: lot.balance_deadline_days }) : null],
    [t("ann_contact"), lot.contact],
    [t("ann_description"), lot.description],
  ];
  left.append(
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("announcement")),
      h("dl", { class: "kv" }, ann.map(([k, v]) => [h("dt", {}, k), h("dd", { class: v ? "" : "muted" }, v || t("none"))])),
    ),
  );

  // the deposits ledger of each round that took registrations
  const ledgers = lot.auctions.filter((a) => a.status !== "withdrawn" || a.registrations);
  if (ledgers.length) {
    const box = h("section", { class: "panel", "data-testid": "ledgers" }, h("h2", {}, t("ledger")));
    left.append(box);
    for (const a of ledgers) box.append(ledgerBlock(a));
  }

  left.append(actionLogPanel(lot.id));

  right.append(scheduleForm(lot, rules, reload));
  const edit = editLotPanel(lot, reload);
  if (edit) right.append(edit);
  const open = lot.auctions.find((a) => ["announced", "live", "suspended"].includes(a.status));
  if (open) right.append(priorityForm(open));
  const disp = dispositionPanel(lot, reload);
  if (disp) right.append(disp);
  right.append(documentsPanel(lot));
}

// ---------------------------------------------------------------- the deposits ledger of one auction

function ledgerBlock(a) {
  const box = h("div", { class: "ledger", "data-auction": String(a.id) }, loading());
  api
    .deposits(a.id)
    .then((d) => {
      const rows = d.items.map((r) =>
        h(
          "tr",
          {},
          h("td", { class: "code" }, r.bidder_code, r.priority_rank ? h("span", { class: "tag prio" }, t("priority_mark")) : null),
          h("td", { class: "num" }, money(r.deposit)),
          h("td", {}, h("span", { class: `badge dep-${r.deposit_status}` }, t(`dep_${r.deposit_status}`))),
          h("td", { class: "small" }, dateTime(r.registered_at, { seconds: false })),
          h("td", { class: "small" }, dateTime(r.deposit_updated_at, { seconds: false })),
        ),
      );
      const totals = ["frozen", "released", "applied", "forfeited"].map((k) =>
        h(
          "li",
          { "data-deposit": k },
          h("span", { class: `badge dep-${k}` }, t(`dep_${k}`)),
          " ",
          h("strong", {}, money(d.totals[k]?.amount ?? 0)),
          h("span", { class: "muted small" }, ` · ${t("ledger_count", { n: d.totals[k]?.count ?? 0 })}`),
        ),
      );
      fill(
        box,
        h(
          "h3",
          { class: "ledger-head" },
          roundBadge(a.round),
          " ",
          statusBadge(d.status),
          " ",
          h("span", {}, t("auction_no", { id: a.id })),
        ),
        rows.length
          ? h(
              "div",
              { class: "table-scroll" },
              h(
                "table",
                { class: "table compact", "data-testid": "ledger" },
                h(
                  "thead",
                  {},
                  h(
                    "tr",
                    {},
                    [t("my_code"), t("deposit"), t("dep_status"), t("me_registered_at"), t("ledger_updated")].map((c, i) =>
                      h("th", { scope: "col", class: i === 1 ? "num" : null }, c),
                    ),
                  ),
                ),
                h("tbody", {}, rows),
                h(
                  "tfoot",
                  {},
                  h(
                    "tr",
                    {},
                    h("th", { scope: "row" }, t("ledger_total")),
                    h("td", { class: "num" }, h("strong", {}, money(d.total.amount))),
                    h("td", { colspan: "3" }, t("ledger_count", { n: d.total.count })),
                  ),
                ),
              ),
            )
          : h("p", { class: "empty" }, t("ledger_none")),
        rows.length ? h("ul", { class: "ledger-totals" }, totals) : null,
        h(
          "p",
          { class: `ledger-check ${d.balanced ? "ok" : "bad"}`, "data-testid": "ledger-balanced", role: d.balanced ? null : "alert" },
          d.balanced ? t("ledger_balanced") : t("ledger_unbalanced"),
        ),
      );
    })
    .catch((err) => fill(box, h("h3", {}, roundBadge(a.round), " ", t("auction_no", { id: a.id })), errorBox(errorText(err))));
  return box;
}

// ---------------------------------------------------------------- disposition after the last failed round

function dispositionPanel(lot, reload) {
  const outcomeText = (o) => t(`disp_${o}`);
  if (lot.disposition) {
    return h(
      "section",
      { class: "panel", "data-testid": "disposition" },
      h("h2", {}, t("disposition")),
      h(
        "dl",
        { class: "kv" },
        h("dt", {}, t("my_state")),
        h("dd", {}, h("strong", {}, outcomeText(lot.disposition))),
        lot.disposition_price != null ? [h("dt", {}, t("disposition_price")), h("dd", {}, money(lot.disposition_price))] : null,
        h("dt", {}, t("disposed_at")),
        h("dd", {}, dateTime(lot.disposed_at, { seconds: false })),
        lot.disposition_note ? [h("dt", {}, t("disposition_note_label")), h("dd", {}, lot.disposition_note)] : null,
      ),
    );
  }
  // Offered once a round has failed and nothing is open or sold; the server decides (rule 18).
  const relevant = lot.auctions.filter((a) => a.status !== "withdrawn");
  const last = relevant[relevant.length - 1];
  if (!last || last.status !== "unsold") return null;
  const note = h("textarea", { name: "disposition_note", rows: "2", maxlength: "2000" });
  const message = h("div", { class: "form-message", role: "alert", "data-testid": "disposition-message" });
  const button = (outcome, cls) =>
    h(
      "button",
      {
        type: "button",
        class: `btn ${cls}`,
        "data-outcome": outcome,
        onclick: async (e) => {
          message.textContent = "";
          const ok = await ask(t("disposition_confirm", { outcome: outcomeText(outcome) }), { confirmOnly: true });
          if (!ok) return;
          const btn = e.target;
          btn.disabled = true;
          try {
            await api.dispose(lot.id, outcome, note.value.trim() || null);
            toast(t("disposition_done", { outcome: outcomeText(outcome) }), "ok");
            reload();
          } catch (err) {
            message.textContent = errorText(err);
            btn.disabled = false;
          }
        },
      },
      outcomeText(outcome),
    );
  return h(
    "section",
    { class: "panel", "data-testid": "disposition" },
    h("h2", {}, t("disposition")),
    h("p", { class: "muted small" }, t("disposition_hint")),
    field(t("disposition_note_label"), note),
    message,
    h("div", { class: "row" }, button("creditor_taken", "primary"), button("returned", "")),
  );
}

// ---------------------------------------------------------------- the lot's documents

const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

function documentsPanel(lot) {
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

function auctionRow(a, reload) {
  const act = (label, fn, cls = "") =>
    h(
      "button",
      {
        type: "button",
        class: `btn small ${cls}`,
        onclick: async (e) => {
          e.currentTarget.disabled = true;
          try {
            if ((await fn()) !== false) {
              toast(t("done"), "ok");
              reload();
            }
          } catch (err) {
            toast(errorText(err), "warn");
          } finally {
            e.target.disabled = false;
          }
        },
      },
      label,
    );
  const withReason = (call) => async () => {
    const reason = await ask(t("reason_prompt"));
    if (!reason) return false;
    return call(reason);
  };
  const actions = [h("a", { class: "btn small ghost", href: `#/auction/${a.id}` }, t("act_open"))];
  if (a.status === "announced" || a.status === "live") {
    actions.push(act(t("act_postpone"), withReason((r) => request("POST", `/auctions/${a.id}/postpone`, { body: { reason: r } }))));
    actions.push(act(t("act_suspend"), withReason((r) => api.suspend(a.id, r))));
  }
  if (a.status === "suspended") actions.push(act(t("act_resume"), () => api.resume(a.id)));
  if (a.status === "announced") actions.push(act(t("act_withdraw"), withReason((r) => api.withdraw(a.id, r)), "danger"));
  actions.push(h("button", { type: "button", class: "btn small ghost", "data-testid": "case-file", onclick: () => downloadCaseFile(a.id) }, t("case_file")));
  if (a.status === "sold" && !a.settlement) {
    actions.push(act(t("act_paid"), () => api.settle(a.id, "paid")));
    actions.push(
      act(
        t("act_defaulted"),
        async () => ((await ask(t("confirm_defaulted"), { confirmOnly: true })) ? api.settle(a.id, "defaulted") : false),
        "danger",
      ),
    );
  }
  if (a.status === "sold") {
    const urls = confirmationUrls(a.id);
    actions.push(
      h("a", { class: "btn small ghost", href: urls.html, target: "_blank", rel: "noopener", "data-testid": "staff-confirmation" }, t("confirmation")),
      h("a", { class: "btn small ghost", href: urls.pdf, target: "_blank", rel: "noopener" }, "PDF"),
    );
  }
  const resultBox = h("div", { class: "small" });
  if (a.status === "sold" || a.status === "unsold") {
    actions.push(
      h(
        "button",
        {
          type: "button",
          class: "btn small",
          onclick: async () => {
            try {
              const r = await api.result(a.id);
              fill(
                resultBox,
                r.outcome === "sold"
                  ? `${t("final_price")} ${money(r.price)} · ${t("winner_code")} ${r.winner_code}${r.winner_name ? ` (${r.winner_name})` : ""} · ${t("premium_over_start")} ${percent(r.premium_rate_over_start)} · ${t("premium_over_appraisal")} ${percent(r.premium_rate_over_appraisal)}`
                  : t("result_unsold"),
              );
            } catch (err) {
              fill(resultBox, errorText(err));
            }
          },
        },
        t("act_result"),
      ),
    );
  }
  return h(
    "tr",
    { "data-auction": String(a.id) },
    h("td", {}, roundBadge(a.round)),
    h(
      "td",
      {},
      statusBadge(a.status),
      a.status === "suspended" ? pauseKind(a.id) : null,
      a.settlement ? h("div", { class: "small" }, t(`settle_${a.settlement}`)) : null,
      a.status_reason ? h("div", { class: "muted small" }, a.status_reason) : null,
    ),
    h("td", { class: "small" }, dateTime(a.start_at, { seconds: false }), h("br"), dateTime(a.end_at, { seconds: false })),
    h("td", { class: "num" }, money(a.starting_price)),
    h("td", { class: "num" }, money(a.current_price), h("div", { class: "muted small" }, t("bids_n", { n: a.bid_count }))),
    h("td", {}, h("div", { class: "actions" }, actions), resultBox),
  );
}

// ---------------------------------------------------------------- the next round, client-side rules

/** Which round comes next (mirrors the server's plan_next_round and lawful_plan); {round, previous} or
 * {blocked}. With ``relistWithinDays`` (judicial rules) a failed round whose relisting window has passed
 * restarts at round 1 ({round: 1, restarted: true}). */
export function planNextRound(auctions, { relistWithinDays = null, now = null } = {}) {
  const relevant = auctions.filter((a) => a.status !== "withdrawn");
  if (relevant.some((a) => ["announced", "live", "suspended"].includes(a.status))) return { blocked: t("auction_open_short") };
  if (!relevant.length) return { round: 1, previous: null };
  const last = relevant[relevant.length - 1];
  if (last.status === "sold") {
    if (last.settlement === "defaulted") {
      const earlier = [...relevant.slice(0, -1)].reverse().find((a) => a.status === "unsold") || null;
      return { round: last.round, previous: last.round !== 1 ? earlier : null };
    }
    return { blocked: statusText("sold") };
  }
  if (relistWithinDays && now !== null && (last.round === 1 || last.round === 2)) {
    const ended = new Date(last.end_at).getTime();
    if (now - ended > relistWithinDays * DAY) return { round: 1, previous: null, restarted: true };
  }
  if (last.round === 1) return { round: 2, previous: last, afterFailure: true };
  if (last.round === 2) return { round: "sale", previous: last, afterFailure: true };
  return { blocked: statusText("unsold") };
}

function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  if (!value) return null;
  const ms = new Date(value).getTime(); // a datetime-local value is read in the viewer's time zone
  return Number.isNaN(ms) ? null : ms;
}

function announcementDays(round, category) {
  if (category === "vessel" && (round === 1 || round === 2)) return 30; // Special Maritime Procedure Law Art. 32
  const long = REAL_ESTATE_LIKE.has(category);
  if (round === 1) return long ? 30 : 15;
  if (round === 2) return long ? 15 : 7;
  return null;
}

function roundYuan(fen, step = 100_00) {
  return Math.ceil(fen / step) * step;
}

function scheduleForm(lot, rules, reload) {
  const plan = planNextRound(lot.auctions, { relistWithinDays: rules !== "sandbox" ? RELIST_WITHIN_DAYS : null, now: clock.now() });
  const panel = h("section", { class: "panel", "data-testid": "schedule" });
  if (plan.blocked) {
    panel.append(h("h2", {}, t("schedule_title", { round: "—" })), h("p", { class: "alert info" }, t("schedule_blocked", { why: plan.blocked })));
    return panel;
  }
  const judicial = rules !== "sandbox";
  const prevStart = plan.previous?.starting_price ?? null;
  let start;
  if (plan.round === 1) start = roundYuan(Math.ceil((lot.appraisal * 7) / 10));
  else if (plan.round === 2) start = roundYuan(Math.ceil((prevStart * 4) / 5));
  else start = prevStart;
  const increment = Math.max(100, roundYuan(Math.round(start / 200), 100_00));
  const now = clock.now();
  const days = judicial ? announcementDays(plan.round, lot.category) : null;
  const startDefault = new Date(now + (days ? (days + 1) * DAY : 10 * 60000));
  if (judicial) startDefault.setHours(10, 0, 0, 0);
  else startDefault.setSeconds(0, 0);
  const endDefault = startDefault.getTime() + (judicial ? DAY : 60 * 60000);

  const startPrice = h("input", { name: "starting_price", inputmode: "decimal", value: yuanInput(start) });
  const inc = h("input", { name: "increment", inputmode: "decimal", value: yuanInput(increment) });
  const deposit = h("input", { name: "deposit", inputmode: "decimal", value: yuanInput(roundYuan(Math.ceil(start / 10), 100)) });
  const startAt = h("input", { name: "start_at", type: "datetime-local", value: toLocalInput(startDefault.getTime()) });
  const endAt = h("input", { name: "end_at", type: "datetime-local", value: toLocalInput(endDefault) });
  const checks = h("ul", { class: "checks", "aria-live": "polite", "data-testid": "checks" });
  const message = h("div", { class: "form-message", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn primary block" }, t("schedule_go"));

  function evaluate() {
    const sp = parseYuan(startPrice.value);
    const ic = parseYuan(inc.value);
    const dp = parseYuan(deposit.value);
    const s = fromLocalInput(startAt.value);
    const e = fromLocalInput(endAt.value);
    const list = [];
    const add = (ok, text) => list.push({ ok, text });
    add(sp !== null && ic !== null && dp !== null && s !== null && e !== null, t("chk_amounts"));
    if (plan.round === 1) {
      const floor = Math.ceil((lot.appraisal * 7) / 10);
      add(sp !== null && sp * 10 >= lot.appraisal * 7, t("chk_floor1", { amount: money(floor) }));
    } else if (plan.round === 2 && prevStart) {
      add(sp !== null && sp * 5 >= prevStart * 4, t("chk_floor2", { amount: money(Math.ceil((prevStart * 4) / 5)) }));
    } else if (plan.round === "sale" && prevStart) {
      add(sp === prevStart, t("chk_sale_price", { amount: money(prevStart) }));
    }
    const lo = sp ? Math.ceil(sp / 20) : null;
    const hi = sp ? Math.floor(sp / 5) : null;
    add(sp !== null && dp !== null && dp * 20 >= sp && dp * 5 <= sp, t("chk_deposit", { lo: money(lo), hi: money(hi) }));
    add(ic !== null && sp !== null && ic <= sp, t("chk_increment"));
    const nowMs = clock.now();
    add(s !== null && s > nowMs, t("chk_start_future"));
    if (days) {
      const earliest = nowMs + days * DAY;
      add(s !== null && s >= earliest, t("chk_announce", { days, time: dateTime(new Date(earliest).toISOString(), { seconds: false }) }));
    }
    add(s !== null && e !== null && e > s, t("chk_period_pos"));
    if (judicial) add(s !== null && e !== null && e - s >= DAY, t("chk_period"));
    fill(
      checks,
      list.map((c) => h("li", { class: c.ok ? "ok" : "bad" }, c.text)),
    );
    const ok = list.every((c) => c.ok);
    submit.disabled = !ok;
    return ok ? { starting_price: sp, increment: ic, deposit: dp, start_at: new Date(s).toISOString(), end_at: new Date(e).toISOString() } : null;
  }

  const form = h(
    "form",
    {
      oninput: evaluate,
      onchange: evaluate,
      onsubmit: async (ev) => {
        ev.preventDefault();
        message.textContent = "";
        const body = evaluate();
        if (!body) return;
        submit.disabled = true;
        try {
          await api.schedule(lot.id, body);
          toast(t("schedule_done"), "ok");
          reload();
        } catch (err) {
          message.textContent = errorText(err);
          submit.disabled = false;
        }
      },
    },
    h("div", { class: "grid-2" }, field(`${t("starting_price")} (¥)`, startPrice), field(`${t("increment")} (¥)`, inc)),
    field(`${t("deposit")} (¥)`, deposit),
    h(
      "div",
      { class: "grid-2" },
      field(t("start_local", { tz: timeZone() }), startAt),
      field(t("end_local", { tz: timeZone() }), endAt),
    ),
    h("h3", { class: "small" }, t("schedule_checks"), " · ", t("rules_profile", { name: rules })),
    checks,
    message,
    submit,
  );
  panel.append(h("h2", {}, t("schedule_title", { round: roundText(plan.round) })));
  if (plan.restarted) panel.append(h("p", { class: "alert warn", "data-testid": "schedule-restart" }, t("schedule_restart")));
  panel.append(form);
  evaluate();
  return panel;
}

function priorityForm(auction) {
  const username = h("input", { name: "priority_username", required: true, minlength: "3" });
  const rank = h("input", { name: "rank", type: "number", min: "1", max: "1000", value: "1", required: true });
  const message = h("div", { class: "form-message", role: "alert" });
  return h(
    "details",
    { class: "panel" },
    h("summary", {}, `${t("add_priority")} · ${t("auction_no", { id: auction.id })}`),
    h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          message.textContent = "";
          try {
            await api.priorityHolder(auction.id, username.value.trim(), Number(rank.value));
            toast(t("priority_added"), "ok");
            username.value = "";
          } catch (err) {
            message.textContent = errorText(err);
          }
        },
      },
      h("div", { class: "grid-2" }, field(t("priority_username"), username), field(t("priority_rank"), rank)),
      message,
      h("button", { type: "submit", class: "btn" }, t("add_priority")),
    ),
  );
}

// ================================================================ the deadlines desk

function deskDetail(d) {
  if (d.kind === "balance") return t("desk_balance_detail", { code: d.winner_code || "—", price: money(d.price) });
  if (d.kind === "relisting") {
    const text = t("desk_relisting_detail", { round: roundText(d.failed_round), next: roundText(d.next_round) });
    return d.restart ? [text, h("div", { class: "small", "data-testid": "desk-restart" }, t("desk_restart"))] : text;
  }
  if (d.kind === "pause") return t("desk_pause_detail", { kind: t(`pause_${d.pause_kind}`), since: dateTime(d.since, { seconds: false }) });
  return roundText(d.round);
}

/** What is due today and overdue in the caller's court, with the step each item calls for. */
function deadlinesDesk(onCourt = () => {}) {
  let courtKnown = false;
  const box = h("section", { class: "panel", "data-testid": "deadlines" }, h("h2", {}, t("desk_title")), loading());
  const step = (label, name, fn, cls = "") =>
    h(
      "button",
      {
        type: "button",
        class: `btn small ${cls}`,
        "data-desk-action": name,
        onclick: async (e) => {
          const btn = e.currentTarget;
          btn.disabled = true;
          try {
            if ((await fn()) !== false) {
              toast(t("done"), "ok");
              load();
              return;
            }
          } catch (err) {
            toast(errorText(err), "warn");
          }
          btn.disabled = false;
        },
      },
      label,
    );
  const stepsOf = (d) =>
    d.actions.map((name) => {
      const lotLink = (label) => h("a", { class: "btn small", href: `#/staff/lot/${d.lot_id}`, "data-desk-action": name }, label);
      if (name === "default")
        return step(t("desk_act_default"), name, async () =>
          (await ask(t("confirm_defaulted"), { confirmOnly: true })) ? api.settle(d.auction_id, "defaulted") : false, "danger");
      if (name === "paid") return step(t("desk_act_paid"), name, () => api.settle(d.auction_id, "paid"));
      if (name === "resume") return step(t("desk_act_resume"), name, () => api.resume(d.auction_id));
      if (name === "withdraw")
        return step(t("desk_act_withdraw"), name, async () => {
          const reason = await ask(t("reason_prompt"));
          return reason ? api.withdraw(d.auction_id, reason) : false;
        }, "danger");
      if (name === "relist") return lotLink(t("desk_act_relist"));
      if (name === "dispose") return lotLink(t("desk_act_dispose"));
      return null;
    });

  async function load() {
    try {
      const desk = await request("GET", "/staff/deadlines", { query: { horizon_days: 7 } });
      if (!courtKnown) {
        courtKnown = true;
        onCourt(desk.court_id);
      }
      const rows = desk.items.map((d) =>
        h(
          "tr",
          { "data-kind": d.kind, "data-state": d.state, "data-lot": String(d.lot_id), class: `desk-${d.state}` },
          h("td", {}, h("span", { class: `badge desk-state ${d.state}` }, t(`desk_state_${d.state}`))),
          h("td", {}, t(`desk_kind_${d.kind}`)),
          h(
            "td",
            {},
            h("a", { href: `#/staff/lot/${d.lot_id}` }, d.title),
            d.auction_id ? h("div", { class: "muted small" }, t("auction_no", { id: d.auction_id })) : null,
          ),
          h("td", { class: "small" }, dateTime(d.due_at, { seconds: false })),
          h("td", { class: "small" }, deskDetail(d)),
          h("td", {}, h("div", { class: "actions" }, stepsOf(d), d.actions.length ? null : h("a", { class: "btn small ghost", href: `#/staff/lot/${d.lot_id}` }, t("desk_act_open")))),
        ),
      );
      fill(
        box,
        h("h2", {}, t("desk_title")),
        h("p", { class: "muted small" }, t("desk_hint"), " ", t("desk_counts", { overdue: desk.counts.overdue, today: desk.counts.due_today, upcoming: desk.counts.upcoming })),
        rows.length
          ? h(
              "div",
              { class: "table-scroll" },
              h(
                "table",
                { class: "table compact", "data-testid": "deadlines-table" },
                h("thead", {}, h("tr", {}, ["", t("desk_item"), t("lot_title"), t("desk_due"), "", t("staff_actions")].map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", {}, rows),
              ),
            )
          : h("p", { class: "empty" }, t("desk_none")),
      );
    } catch (err) {
      fill(box, h("h2", {}, t("desk_title")), errorBox(errorText(err)));
    }
  }
  load();
  return box;
}

// ================================================================ the action log (全程留痕)

const MONEY_KEYS = new Set(["appraisal", "starting_price", "increment", "current_price", "deposit", "price", "disposition_price"]);
const TIME_KEYS = new Set(["start_at", "end_at", "scheduled_end_at", "suspended_at", "closed_at"]);
// What a creation's entry shows of the new state (the rest is in the record, and in the case file).
const CREATED_KEYS = new Set(["title", "category", "appraisal", "round", "starting_price", "deposit", "start_at", "end_at", "filename", "sha256"]);

function shown(key, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (MONEY_KEYS.has(key) && typeof value === "number") return money(value);
  if (TIME_KEYS.has(key)) return dateTime(value, { seconds: false });
  if (key === "category") return categoryText(value);
  if (key === "sha256") return `${value.slice(0, 12)}…`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** What an entry changed, as "field: before → after" (or the new state's main fields for a creation). */
function changeText(entry) {
  if (!entry.after) return "";
  const before = entry.before || {};
  const parts = [];
  for (const [key, value] of Object.entries(entry.after)) {
    if (entry.before && JSON.stringify(before[key]) === JSON.stringify(value)) continue;
    if (!entry.before && (value === null || !CREATED_KEYS.has(key))) continue;
    parts.push(entry.before ? `${key}: ${shown(key, before[key])} → ${shown(key, value)}` : `${key}: ${shown(key, value)}`);
  }
  return parts.slice(0, 6).join("; ") + (parts.length > 6 ? " …" : "");
}

function logRow(a, { withLot = false } = {}) {
  return h(
    "tr",
    { "data-action": a.action, "data-seq": String(a.seq) },
    h("td", { class: "small" }, dateTime(a.at)),
    h("td", {}, a.actor),
    h(
      "td",
      {},
      t(`log_action_${a.action}`),
      withLot && a.lot_id ? h("div", { class: "small" }, h("a", { href: `#/staff/lot/${a.lot_id}` }, t("lot_no", { id: a.lot_id }))) : null,
      a.auction_id ? h("div", { class: "muted small" }, t("auction_no", { id: a.auction_id })) : null,
    ),
    h("td", { class: "small" }, a.reason || "—"),
    h("td", { class: "small mono", title: `#${a.seq} ${a.hash}` }, changeText(a)),
  );
}

function logHead() {
  return h("thead", {}, h("tr", {}, [t("log_at"), t("log_actor"), t("log_action"), t("log_reason"), t("log_change")].map((c) => h("th", { scope: "col" }, c))));
}

/** The court's whole log, newest first, read when opened (the latest 100 entries). */
function courtLogPanel(courtId) {
  const body = h("div", {}); // "loading" only once opened: a closed panel is not a page still loading
  const box = h("details", { class: "panel", "data-testid": "court-log" }, h("summary", {}, t("court_log_title")), body);
  let loaded = false;
  box.addEventListener("toggle", async () => {
    if (!box.open || loaded) return;
    loaded = true;
    fill(body, loading());
    try {
      const path = `/courts/${courtId}/actions`;
      const { total } = await request("GET", path, { query: { limit: 1 } });
      const page = await request("GET", path, { query: { limit: 100, offset: Math.max(0, total - 100) } });
      fill(
        body,
        page.items.length
          ? h("div", { class: "table-scroll" }, h("table", { class: "table compact" }, logHead(), h("tbody", {}, [...page.items].reverse().map((a) => logRow(a, { withLot: true })))))
          : h("p", { class: "empty" }, t("log_none")),
      );
    } catch (err) {
      fill(body, errorBox(errorText(err)));
    }
  });
  return box;
}

function actionLogPanel(lotId) {
  const body = h("tbody", {});
  const table = h("table", { class: "table compact", "data-testid": "action-log-table" }, logHead(), body);
  const status = h("div", {}, loading());
  const more = h("button", { type: "button", class: "btn small", hidden: true, onclick: () => load() }, t("log_more"));
  const box = h("section", { class: "panel", "data-testid": "action-log" }, h("h2", {}, t("log_title")), h("div", { class: "table-scroll" }, table), status, more);
  let offset = 0;
  async function load() {
    try {
      const page = await request("GET", `/lots/${lotId}/actions`, { query: { limit: 50, offset } });
      for (const a of page.items) body.append(logRow(a));
      offset += page.items.length;
      more.hidden = offset >= page.total;
      fill(status, page.total ? null : h("p", { class: "empty" }, t("log_none")));
    } catch (err) {
      fill(status, errorBox(errorText(err)));
    }
  }
  load();
  return box;
}

// ================================================================ corrections before bidding opens

const EDITABLE = [
  ["title", "lot_title", false],
  ["case_number", "ann_case_number", false],
  ["location", "ann_location", false],
  ["appraisal_method", "ann_appraisal_method", false],
  ["defects", "ann_defects", true],
  ["encumbrances", "ann_encumbrances", true],
  ["taxes", "ann_taxes", true],
  ["contact", "ann_contact", false],
  ["description", "ann_description", true],
];

function editLotPanel(lot, reload) {
  if (lot.disposition) return null;
  const relevant = lot.auctions.filter((a) => a.status !== "withdrawn");
  if (relevant.some((a) => a.status !== "announced")) return null; // bidding has opened: the record is fixed
  const announced = relevant.length > 0;
  const inputs = {};
  for (const [name, , area] of EDITABLE) {
    const value = lot[name] ?? "";
    inputs[name] = area
      ? h("textarea", { name: `edit_${name}`, rows: "2", maxlength: "20000" }, value)
      : h("input", { name: `edit_${name}`, maxlength: name === "case_number" ? "100" : "300", value });
  }
  const appraisal = h("input", { name: "edit_appraisal", inputmode: "decimal", value: yuanInput(lot.appraisal), disabled: announced });
  const category = h(
    "select",
    { name: "edit_category", disabled: announced },
    CATEGORIES.map((c) => h("option", { value: c, selected: c === lot.category }, categoryText(c))),
  );
  const reason = h("input", { name: "edit_reason", maxlength: "2000" });
  const message = h("div", { class: "form-message", role: "alert", "data-testid": "edit-message" });
  const submit = h("button", { type: "submit", class: "btn primary" }, t("edit_save"));
  return h(
    "details",
    { class: "panel", "data-testid": "edit-lot" },
    h("summary", {}, t("edit_lot")),
    h("p", { class: "muted small" }, t("edit_hint")),
    h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          message.textContent = "";
          const body = {};
          for (const [name] of EDITABLE) {
            const next = inputs[name].value.trim();
            const was = lot[name] ?? "";
            if (next !== was) body[name] = next === "" ? null : next;
          }
          if (!announced) {
            const fen = parseYuan(appraisal.value);
            if (fen === null) return (message.textContent = t("err_amount_format"));
            if (fen !== lot.appraisal) body.appraisal = fen;
            if (category.value !== lot.category) body.category = category.value;
          }
          if ("title" in body && body.title === null) delete body.title;
          if (!Object.keys(body).length) return (message.textContent = t("edit_nothing"));
          if (reason.value.trim()) body.reason = reason.value.trim();
          submit.disabled = true;
          try {
            await request("PATCH", `/lots/${lot.id}`, { body });
            toast(t("edit_saved"), "ok");
            reload();
          } catch (err) {
            message.textContent = errorText(err);
            submit.disabled = false;
          }
        },
      },
      h("div", { class: "grid-2" }, field(t("lot_category"), category), field(t("lot_appraisal"), appraisal)),
      EDITABLE.map(([name, label]) => field(t(label), inputs[name])),
      field(t("edit_reason"), reason),
      message,
      submit,
    ),
  );
}

// ================================================================ small pieces of an auction row

/** 暂缓 or 中止: the kind of the auction's current pause, from its published history. */
function pauseKind(auctionId) {
  const tag = h("div", { class: "small", "data-testid": "pause-kind" });
  request("GET", `/auctions/${auctionId}/status-history`, { anonymous: true })
    .then(({ items }) => {
      const last = [...items].reverse().find((i) => i.change === "postponed" || i.change === "suspended");
      if (last) tag.textContent = t(`pause_${last.change}`);
    })
    .catch(() => {});
  return tag;
}

/** The case file is served to staff only, so it is fetched with the token and saved from a blob. */
async function downloadCaseFile(auctionId) {
  try {
    const res = await fetch(apiUrl(`/auctions/${auctionId}/case-file`), {
      headers: { Authorization: `Bearer ${session()?.token}` },
    });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw { status: res.status, code: body.error?.code || "http_error", message: body.error?.message || "" };
    }
    const url = URL.createObjectURL(await res.blob());
    const link = h("a", { href: url, download: `case-file-${auctionId}.zip` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(t("case_file_saved", { digest: (res.headers.get("X-Case-File-Digest") || "").slice(0, 16) }), "ok");
  } catch (err) {
    toast(errorText(err), "warn");
  }
}
