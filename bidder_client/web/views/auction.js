// One auction: price, countdown synced to the server clock (with extensions), live bid record,
// registration and bidding, the announcement, and the result after the close.

import { ApiError, api, clock, confirmationUrls, myRegistration, rememberRegistration, session } from "../api.js";
import {
  categoryText,
  dateTime,
  duration,
  errorText,
  fileSize,
  money,
  parseYuan,
  percent,
  roundText,
  statusText,
  t,
  timeOnly,
  timeZone,
} from "../i18n.js";
import { LiveFeed } from "../live.js";
import { categoryBadge, clear, confirmStep, errorBox, h, loading, roundBadge, statusBadge, toast, fill } from "../ui.js";

const ENDED = new Set(["sold", "unsold", "withdrawn"]);
const FINAL_MS = 5 * 60 * 1000;

export async function renderAuction(main, [idText], ctx) {
  const id = Number(idText);
  main.append(loading());
  let a;
  let lot = null;
  let bids = [];
  try {
    [a, { items: bids }] = await Promise.all([api.auction(id), api.bids(id, 0)]);
    lot = await api.lot(a.lot_id).catch(() => null);
  } catch (e) {
    clear(main).append(errorBox(e instanceof ApiError ? errorText(e) : String(e), () => location.reload()));
    return;
  }
  if (!ctx.alive) return;
  clear(main);

  const me = session();
  let reg = me?.role === "bidder" ? myRegistration(id) : null;
  let result = null;
  let lastRefetch = 0;
  let holders = null; // the published priority holders (GET .../priority-holders)
  let documents = null; // the lot's documents
  let auditReport = null;

  // ------------------------------------------------------------ skeleton
  const statusSlot = h("span", { class: "status-slot" });
  const liveDot = h("span", { class: "live-mode", "data-testid": "live-mode" }, t("live_offline"));
  const head = h(
    "header",
    { class: "auction-head" },
    h("a", { href: "#/", class: "back" }, `← ${t("back")}`),
    h("div", { class: "badges" }, statusSlot, roundBadge(a.round), categoryBadge(a.category), liveDot),
    h("h1", {}, a.title || t("auction_no", { id })),
    h(
      "p",
      { class: "muted" },
      [a.court, lot?.case_number, t("auction_no", { id })].filter(Boolean).join(" · "),
    ),
  );

  const priceLabel = h("span", { class: "label" });
  const priceValue = h("strong", { class: "big-price", "data-testid": "current-price" });
  const leader = h("div", { class: "leader" });
  const cdLabel = h("span", { class: "label" });
  const cdValue = h("strong", { class: "countdown-big", "data-testid": "countdown" });
  const extBadge = h("span", { class: "ext-badge", "data-testid": "extensions" });
  const endLine = h("div", { class: "end-line muted small" });
  const extFlash = h("div", { class: "ext-flash", role: "status", "aria-live": "polite" });
  const countdownBox = h(
    "div",
    { class: "countdown-box" },
    h("div", { class: "cd-row" }, cdLabel, extBadge),
    cdValue,
    endLine,
    extFlash,
  );
  const counts = h("div", { class: "counts" });
  const pricePanel = h(
    "section",
    { class: "panel price-panel", "aria-label": t("current_price") },
    h("div", { class: "price-row" }, priceLabel, priceValue),
    leader,
    countdownBox,
    counts,
  );
  const bidPanel = h("section", { class: "panel bid-panel", "aria-label": t("bid_panel") });
  const resultPanel = h("section", { class: "panel result-panel", hidden: true, "aria-label": t("result_title") });
  const bidsBody = h("tbody");
  const bidsCount = h("span", { class: "muted small" });
  const bidsPanel = h(
    "section",
    { class: "panel bids-panel", "aria-label": t("bid_record") },
    h("h2", {}, t("bid_record"), " ", bidsCount),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "bids", "data-testid": "bid-record" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("col_state")),
            h("th", { scope: "col" }, t("col_code")),
            h("th", { scope: "col", class: "num" }, t("col_amount")),
            h("th", { scope: "col" }, t("col_time")),
          ),
        ),
        bidsBody,
      ),
    ),
  );
  const auditLine = h("p", { class: "audit muted small", "data-testid": "audit", role: "status" });
  bidsPanel.append(auditLine);
  const docsPanel = h("section", { class: "panel documents", "aria-label": t("documents"), "data-testid": "lot-documents" });
  const annPanel = h("section", { class: "panel announcement", "aria-label": t("announcement") });

  main.append(
    head,
    h(
      "div",
      { class: "auction-grid" },
      h("div", { class: "col-main" }, pricePanel, resultPanel, bidPanel),
      h("div", { class: "col-side" }, bidsPanel),
    ),
    annPanel,
    docsPanel,
  );

  // ------------------------------------------------------------ painting
  function nextBid() {
    return a.current_price == null ? a.starting_price : a.current_price + a.increment;
  }

  function paintPrice() {
    fill(statusSlot, statusBadge(a.status));
    const sold = a.status === "sold";
    priceLabel.textContent = sold ? t("final_price") : a.current_price != null ? t("current_price") : t("starting_price");
    priceValue.textContent = money(a.current_price ?? a.starting_price);
    const ended = ENDED.has(a.status);
    liveDot.hidden = ended; // an ended auction has nothing live to show
    leader.hidden = ended && !sold; // nobody leads a failed auction
    fill(leader, 
      h("span", { class: "label" }, t(sold ? "winning_code" : "leading_code")),
      " ",
      h("strong", { "data-testid": "leading-code" }, a.leading_code || "—"),
      reg && a.leading_code === reg.bidder_code ? h("span", { class: "tag you" }, t("you")) : null,
    );
    extBadge.textContent = t("extensions_n", { n: a.extension_count || 0 });
    extBadge.classList.toggle("zero", !a.extension_count);
    // The end time appears once: the big line shows it once ended; while live, the line under the
    // countdown says when bidding ends now (and, once extended, when it was first due to end).
    const extended = a.end_at !== a.scheduled_end_at;
    fill(endLine, 
      extended ? h("span", {}, `${t("scheduled_end_at")} ${dateTime(a.scheduled_end_at)}`) : null,
      !ended && extended ? h("span", { class: "new-end" }, ` → ${t("end_at")} ${dateTime(a.end_at)}`) : null,
      !ended && !extended ? h("span", {}, `${t("end_at")} ${dateTime(a.end_at)}`) : null,
    );
    fill(counts, 
      count(t("bid_count"), a.bid_count, "bid-count"),
      count(t("registrations"), a.registrations, "registrations"),
      count(t("watchers"), a.watchers ?? 0, "watchers"),
    );
    tick();
  }

  function count(label, value, testid) {
    return h("div", { class: "count" }, h("strong", { "data-testid": testid }, String(value ?? 0)), h("span", {}, label));
  }

  function tick() {
    const now = clock.now();
    countdownBox.classList.remove("final", "idle");
    if (a.status === "announced") {
      cdLabel.textContent = t("starts_in");
      cdValue.textContent = duration(Date.parse(a.start_at) - now);
      if (Date.parse(a.start_at) <= now) refetchSoon();
    } else if (a.status === "live") {
      const left = Date.parse(a.end_at) - now;
      cdLabel.textContent = t("ends_in");
      cdValue.textContent = left > 0 ? duration(left) : t("ending");
      countdownBox.classList.toggle("final", left <= FINAL_MS);
      if (left <= 0) refetchSoon();
    } else if (a.status === "suspended") {
      cdLabel.textContent = statusText("suspended");
      cdValue.textContent = a.status_reason ? `${t("status_reason")}:${a.status_reason}` : "—";
      countdownBox.classList.add("idle");
    } else {
      extFlash.textContent = "";
      cdLabel.textContent = t("ended_at");
      cdValue.textContent = dateTime(a.end_at);
      countdownBox.classList.add("idle");
    }
  }

  function paintBids() {
    bidsCount.textContent = `(${bids.length})`;
    const rows = [];
    const ended = ENDED.has(a.status);
    for (let i = bids.length - 1; i >= 0; i--) {
      const b = bids[i];
      const top = i === bids.length - 1;
      const mine = reg && b.bidder_code === reg.bidder_code;
      const state = top ? (ended ? t("st_sold") : t("leading")) : t("outbid");
      rows.push(
        h(
          "tr",
          { class: `${top ? "leading" : "outbid"}${mine ? " mine" : ""}`, "data-seq": String(b.seq) },
          h("td", {}, h("span", { class: `pill ${top ? "lead" : "out"}` }, state)),
          h(
            "td",
            { class: "code" },
            b.bidder_code,
            mine ? h("span", { class: "tag you" }, t("you")) : null,
            b.priority ? h("span", { class: "tag prio" }, t("priority_mark")) : null,
          ),
          h("td", { class: "num" }, money(b.amount)),
          h("td", { title: dateTime(b.placed_at) }, timeOnly(b.placed_at)),
        ),
      );
    }
    if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: "4", class: "empty" }, t("bid_record_empty"))));
    fill(bidsBody, ...rows);
  }

  // The bid panel is rebuilt only when its shape changes (so typing is not interrupted).
  let panelKey = null;
  const message = h("div", { class: "bid-message", role: "alert", "aria-live": "assertive" });
  const refs = {};

  function paintBidPanel() {
    const role = me?.role || "anon";
    const key = `${role}|${reg ? "reg" : "noreg"}|${a.status}`;
    if (key !== panelKey) {
      panelKey = key;
      buildBidPanel(role);
    }
    updateBidPanel();
  }

  function buildBidPanel(role) {
    clear(bidPanel);
    for (const k of Object.keys(refs)) delete refs[k];
    bidPanel.append(h("h2", {}, t("bid_panel")));
    if (ENDED.has(a.status)) {
      bidPanel.append(h("p", { class: "muted" }, t("bidding_over")));
      if (reg) bidPanel.append(codeLine());
      return;
    }
    if (role === "anon") {
      bidPanel.append(
        h("a", { class: "btn primary block", href: `#/login?next=${encodeURIComponent(`/auction/${id}`)}` }, t("login_to_bid")),
      );
      return;
    }
    if (role === "staff") {
      bidPanel.append(h("p", { class: "alert info" }, t("staff_no_bid")));
      return;
    }
    if (!reg) {
      refs.register = h(
        "button",
        { type: "button", class: "btn primary block", "data-testid": "register", onclick: doRegister },
        t("register_cta", { amount: money(a.deposit) }),
      );
      bidPanel.append(refs.register, h("p", { class: "muted small" }, t("register_note")), message);
      return;
    }
    bidPanel.append(codeLine());
    if (reg.priority_rank) bidPanel.append(h("p", { class: "alert info" }, t("ann_priority_you", { n: reg.priority_rank })));
    refs.standing = h("div", { class: "standing", "data-testid": "standing" });
    bidPanel.append(refs.standing);
    if (a.status === "announced") {
      bidPanel.append(h("p", { class: "muted" }, t("bidding_not_open")));
    } else if (a.status === "suspended") {
      bidPanel.append(h("p", { class: "alert warn" }, t("bidding_suspended")));
    }
    const live = a.status === "live";
    refs.one = h("button", {
      type: "button",
      class: "btn primary block bid-one",
      "data-testid": "bid-one",
      disabled: !live,
      onclick: () => placeBid(nextBid()),
    });
    refs.steps = h("input", {
      type: "number",
      min: "1",
      step: "1",
      value: "2",
      inputmode: "numeric",
      id: `steps-${id}`,
      "data-testid": "steps",
    });
    refs.stepsGo = h("button", {
      type: "button",
      class: "btn",
      "data-testid": "bid-steps",
      disabled: !live,
      onclick: () => {
        const n = Number(refs.steps.value);
        if (!Number.isInteger(n) || n < 1) return showMessage(t("err_steps_format"), "error");
        placeBid(stepsAmount(n));
      },
    });
    refs.steps.addEventListener("input", updateBidPanel);
    refs.custom = h("input", {
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      placeholder: "0.00",
      id: `custom-${id}`,
      "data-testid": "custom-amount",
    });
    refs.customGo = h(
      "button",
      {
        type: "button",
        class: "btn",
        "data-testid": "bid-custom",
        disabled: !live,
        onclick: () => {
          const fen = parseYuan(refs.custom.value);
          if (fen === null) return showMessage(t("err_amount_format"), "error");
          placeBid(fen);
        },
      },
      t("bid_custom_go"),
    );
    bidPanel.append(
      refs.one,
      h("div", { class: "muted small center" }, t("bid_one_step_hint"), " · ", t("increment"), " ", money(a.increment)),
      h(
        "div",
        { class: "bid-row" },
        h("label", { for: refs.steps.id }, t("bid_n_steps")),
        h("div", { class: "inline" }, refs.steps, refs.stepsGo),
      ),
      h(
        "div",
        { class: "bid-row" },
        h("label", { for: refs.custom.id }, t("bid_custom")),
        h("div", { class: "inline" }, refs.custom, refs.customGo),
      ),
      message,
    );
  }

  function codeLine() {
    return h(
      "p",
      { class: "code-line" },
      t("registered_as"),
      " ",
      h("strong", { class: "my-code", "data-testid": "my-code" }, reg.bidder_code),
      " · ",
      t("deposit"),
      " ",
      money(reg.deposit),
    );
  }

  function stepsAmount(n) {
    return a.current_price == null ? a.starting_price + (n - 1) * a.increment : a.current_price + n * a.increment;
  }

  function updateBidPanel() {
    if (refs.one) refs.one.textContent = t("bid_one_step", { amount: money(nextBid()) });
    if (refs.stepsGo) {
      const n = Number(refs.steps.value);
      refs.stepsGo.textContent =
        Number.isInteger(n) && n >= 1 ? `${t("bid_n_steps_go")} ${money(stepsAmount(n))}` : t("bid_n_steps_go");
    }
    if (refs.standing) {
      const mine = bids.some((b) => b.bidder_code === reg.bidder_code);
      refs.standing.className = "standing";
      if (a.leading_code === reg.bidder_code) {
        refs.standing.classList.add("leading");
        refs.standing.textContent = t("you_are_leading");
      } else if (mine) {
        refs.standing.classList.add("outbid");
        refs.standing.textContent = t("you_are_outbid", { amount: money(a.current_price) });
      } else {
        refs.standing.textContent = "";
      }
    }
  }

  function showMessage(text, kind) {
    message.className = `bid-message ${kind}`;
    message.textContent = text;
    delete message.dataset.minimum;
  }

  async function doRegister() {
    const ok = await confirmStep({
      title: t("confirm_title_register"),
      body: `${t("confirm_register", { amount: money(a.deposit) })} ${t("confirm_register_terms")}`,
      ok: t("confirm_register_ok", { amount: money(a.deposit) }),
      cancel: t("confirm_cancel"),
    });
    if (!ok || !refs.register) return;
    refs.register.disabled = true;
    try {
      const r = await api.register(id, { accept_terms: true }); // confirmed the dialog's terms (竞买须知)
      reg = r;
      rememberRegistration(id, r, { title: a.title });
      paintAll();
    } catch (e) {
      showMessage(errorText(e), "error");
      if (refs.register) refs.register.disabled = false;
    }
  }

  let sending = false;
  async function placeBid(amount) {
    if (sending) return;
    sending = true;
    const ok = await confirmStep({
      title: t("confirm_title_bid"),
      body: t("confirm_bid", { amount: money(amount), title: a.title || t("auction_no", { id }) }),
      ok: t("confirm_bid_ok", { amount: money(amount) }),
      cancel: t("confirm_cancel"),
    }).catch(() => false);
    if (!ok) {
      sending = false;
      return;
    }
    showMessage(t("bid_pending"), "pending");
    for (const b of [refs.one, refs.stepsGo, refs.customGo]) if (b) b.disabled = true;
    try {
      const r = await api.bid(id, amount);
      showMessage(t("bid_placed", { amount: money(r.amount), seq: r.seq }), "ok");
      feed.emitBid(r);
      if (refs.custom) refs.custom.value = "";
    } catch (e) {
      if (e.code === "bid_too_low" || e.code === "bid_not_on_increment") refusedWithMinimum(e);
      else showMessage(errorText(e), "error");
      if (e.code === "not_registered") {
        reg = null;
        paintAll();
      }
    } finally {
      sending = false;
      for (const b of [refs.one, refs.stepsGo, refs.customGo]) if (b) b.disabled = a.status !== "live";
    }
  }

  /** A refusal for the amount says the lowest valid amount now (the service's ``minimum``, else the
   * page's next bid) and offers to bid exactly that. */
  function refusedWithMinimum(e) {
    const minimum = Number.isInteger(e.extra?.minimum) ? e.extra.minimum : nextBid();
    showMessage(`${errorText(e)} ${t("lowest_valid", { amount: money(minimum) })}`, "error");
    message.dataset.minimum = String(minimum);
    message.append(
      " ",
      h(
        "button",
        { type: "button", class: "btn small", "data-testid": "bid-minimum", onclick: () => placeBid(minimum) },
        t("use_lowest", { amount: money(minimum) }),
      ),
    );
  }

  async function paintResult() {
    if (!(a.status === "sold" || a.status === "unsold")) {
      resultPanel.hidden = true;
      return;
    }
    if (!result) {
      try {
        result = await api.result(id);
      } catch {
        return;
      }
    }
    if (!ctx.alive) return;
    resultPanel.hidden = false;
    const r = result;
    const rows =
      r.outcome === "sold"
        ? [
            [t("final_price"), h("strong", { class: "big-price" }, money(r.price))],
            [t("winner_code"), h("strong", { "data-testid": "winner-code" }, r.winner_code)],
            r.winner_name ? [t("winner_name"), r.winner_name] : null,
            [t("premium_over_start"), percent(r.premium_rate_over_start)],
            [t("premium_over_appraisal"), percent(r.premium_rate_over_appraisal)],
            [t("extensions_label"), h("span", { "data-testid": "result-extensions" }, t("extensions_count", { n: r.extension_count ?? a.extension_count ?? 0 }))],
            [t("bid_count"), t("bids_count", { n: r.bid_count ?? a.bid_count ?? 0 })],
            [t("settlement"), r.settlement ? t(`settle_${r.settlement}`) : t("settlement_pending")],
          ]
        : [[t("result_title"), t("result_unsold")]];
    fill(resultPanel, 
      h("h2", {}, t("result_title"), " ", h("span", { class: `badge status-${r.outcome}` }, statusText(r.outcome))),
      h(
        "dl",
        { class: "kv", "data-testid": "result" },
        rows.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      confirmationLinks(r),
    );
  }

  /** The confirmation of a sale, for court staff and for the winner. */
  function confirmationLinks(r) {
    if (r.outcome !== "sold") return null;
    const winner = reg && reg.bidder_code === r.winner_code;
    if (!(me?.role === "staff" || winner)) return null;
    const urls = confirmationUrls(id);
    return h(
      "p",
      { class: "doc-links", "data-testid": "confirmation-links" },
      h("a", { class: "btn small", href: urls.html, target: "_blank", rel: "noopener", "data-testid": "confirmation-link" }, t("confirmation_html")),
      h("a", { class: "btn small ghost", href: urls.pdf, target: "_blank", rel: "noopener", "data-testid": "confirmation-pdf" }, t("confirmation_pdf")),
    );
  }

  function paintAudit() {
    if (!auditReport) {
      auditLine.textContent = "";
      return;
    }
    auditLine.className = `audit small ${auditReport.valid ? "ok" : "bad"}`;
    if (auditReport.valid) {
      auditLine.textContent = t("audit_ok", { n: auditReport.bids });
      auditLine.title = auditReport.head ? t("audit_title", { head: auditReport.head }) : "";
    } else {
      auditLine.textContent = t("audit_bad", { seq: auditReport.first_bad_seq ?? "?" });
      auditLine.setAttribute("role", "alert");
    }
  }

  let auditTimer = null;
  async function loadAudit() {
    try {
      const report = await api.audit(id);
      if (!ctx.alive) return;
      auditReport = report;
    } catch {
      auditReport = null;
      auditLine.className = "audit muted small";
      auditLine.textContent = t("audit_unknown");
      return;
    }
    paintAudit();
  }
  function scheduleAudit() {
    clearTimeout(auditTimer);
    auditTimer = setTimeout(loadAudit, 1500);
  }

  function paintDocuments() {
    const items = documents || [];
    const images = items.filter((d) => d.content_type.startsWith("image/"));
    const others = items.filter((d) => !d.content_type.startsWith("image/"));
    fill(
      docsPanel,
      h("h2", {}, t("documents"), " ", h("span", { class: "muted small" }, `(${items.length})`)),
      documents === null ? loading() : null,
      documents && !items.length ? h("p", { class: "empty" }, t("documents_none")) : null,
      others.length
        ? h(
            "ul",
            { class: "doc-list" },
            others.map((d) =>
              h(
                "li",
                { "data-doc": String(d.id) },
                h("span", { class: "doc-icon", "aria-hidden": "true" }, "PDF"),
                h("a", { href: d.url, target: "_blank", rel: "noopener" }, d.filename),
                h("span", { class: "muted small" }, ` ${t(`doc_kind_${d.kind}`)} · ${fileSize(d.size)} · ${dateTime(d.uploaded_at, { seconds: false })}`),
              ),
            ),
          )
        : null,
      images.length
        ? h(
            "div",
            { class: "thumbs" },
            images.map((d) =>
              h(
                "a",
                { class: "thumb", href: d.url, target: "_blank", rel: "noopener", title: d.filename, "data-doc": String(d.id) },
                h("img", { src: d.url, alt: d.filename, loading: "lazy" }),
                h("span", { class: "small" }, d.filename),
              ),
            ),
          )
        : null,
    );
  }

  function priorityText() {
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

  function paintAnnouncement() {
    const l = lot || {};
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
      [
        t("ann_schedule"),
        h(
          "span",
          { "data-testid": "bidding-period" },
          h("span", { class: "nowrap" }, dateTime(a.start_at, { seconds: false })),
          " — ",
          h("span", { class: "nowrap" }, dateTime(a.scheduled_end_at, { seconds: false })),
          " ",
          h("small", { class: "muted nowrap" }, `(${timeZone()})`),
        ),
      ],
      [t("ann_rules"), t("ann_rules_text")],
      [t("ann_priority"), priorityText()],
      [t("ann_defects"), l.defects],
      [t("ann_encumbrances"), l.encumbrances],
      [t("ann_taxes"), l.taxes],
      [t("ann_balance_deadline"), l.balance_deadline_days ? t("ann_balance_days", { n: l.balance_deadline_days }) : null],
      [t("ann_contact"), l.contact],
      [t("ann_description"), l.description],
    ];
    fill(annPanel, 
      h("h2", {}, t("announcement")),
      h(
        "dl",
        { class: "kv ann" },
        rows.map(([k, v]) => [h("dt", {}, k), h("dd", { class: v ? "" : "muted" }, v || t("none"))]),
      ),
      h("p", { class: "muted small" }, t("extension_note")),
    );
  }

  function paintAll() {
    paintAudit();
    paintPrice();
    paintBids();
    paintBidPanel();
    paintResult();
  }

  async function refetch() {
    try {
      const fresh = await api.auction(id);
      if (!ctx.alive) return;
      applySnapshot(fresh);
      scheduleAudit();
    } catch {
      /* the next tick retries */
    }
  }

  function refetchSoon() {
    const now = performance.now();
    if (now - lastRefetch < 1000) return;
    lastRefetch = now;
    refetch();
  }

  function applySnapshot(fresh) {
    const before = a;
    // A snapshot may be older than bids we already hold (a bid event raced the GET): keep the newer.
    if ((fresh.seq ?? fresh.bid_count) < (a.seq ?? a.bid_count)) {
      a = { ...fresh, current_price: a.current_price, leading_code: a.leading_code, bid_count: a.bid_count, seq: a.seq, end_at: a.end_at, extension_count: a.extension_count };
    } else {
      a = fresh;
    }
    if (fresh.server_time) clock.observe(fresh.server_time);
    if (before.status !== a.status) result = null;
    paintAll();
  }

  // ------------------------------------------------------------ live events
  const feed = new LiveFeed(
    id,
    {
      onSnapshot: (fresh) => applySnapshot(fresh),
      onBid: (b) => {
        const wasMine = reg && a.leading_code === reg.bidder_code;
        bids.push(b);
        const prevEnd = Date.parse(a.end_at);
        a = {
          ...a,
          current_price: b.amount,
          leading_code: b.bidder_code,
          bid_count: b.seq,
          seq: b.seq,
          minimum_bid: b.amount + a.increment,
        };
        if (b.end_at && Date.parse(b.end_at) > prevEnd) {
          a.end_at = b.end_at;
          a.extension_count = (a.extension_count || 0) + 1;
          flashExtension();
        }
        if (wasMine && b.bidder_code !== reg.bidder_code) {
          showMessage("", "");
          toast(t("outbid_toast", { code: b.bidder_code, amount: money(b.amount) }), "warn");
          bidPanel.classList.remove("flash-outbid");
          void bidPanel.offsetWidth;
          bidPanel.classList.add("flash-outbid");
        }
        paintPrice();
        paintBids();
        updateBidPanel();
        scheduleRefetch();
      },
      onStatus: (ev) => {
        a = { ...a, status: ev.status, status_reason: ev.reason ?? a.status_reason };
        result = null;
        paintAll();
        refetch();
      },
      onClosed: () => {
        result = null;
        refetch();
      },
      onCounts: (c) => {
        if (c.watchers !== undefined) a.watchers = c.watchers;
        if (c.registrations !== undefined) a.registrations = c.registrations;
        paintPrice();
      },
      onMode: (mode) => {
        liveDot.className = `live-mode ${mode}`;
        liveDot.textContent = mode === "ws" ? t("live_connected") : mode === "poll" ? t("live_polling") : t("live_offline");
      },
    },
    { lastSeq: bids.length ? bids[bids.length - 1].seq : 0 },
  );

  // After a burst of bids, read the auction once to correct the counters (extensions, registrations).
  let refetchTimer = null;
  function scheduleRefetch() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(refetch, 600);
  }

  function flashExtension() {
    countdownBox.classList.remove("extended");
    void countdownBox.offsetWidth;
    countdownBox.classList.add("extended");
    extFlash.textContent = t("extended_flash");
  }

  paintAnnouncement();
  paintDocuments();
  paintAll();
  feed.start();
  ctx.onTick = tick;

  // What the announcement publishes besides the auction: priority holders, documents, the audit;
  // and for a bidder, the platform's record of the registration (this browser may not know it).
  api
    .priorityHolders(id)
    .then((r) => (holders = r.items))
    .catch(() => (holders = []))
    .then(() => ctx.alive && paintAnnouncement());
  const lotDocs = lot ? api.documents(lot.id).then((r) => r.items) : Promise.resolve([]);
  lotDocs
    .catch(() => [])
    .then((items) => {
      documents = items;
      if (ctx.alive) paintDocuments();
    });
  loadAudit();
  if (me?.role === "bidder") {
    api
      .myRegistrations()
      .then((r) => {
        const found = r.items.find((x) => x.auction_id === id);
        if (!found || !ctx.alive) return;
        const fresh = {
          bidder_code: found.bidder_code,
          deposit: found.deposit,
          deposit_status: found.deposit_status,
          priority_rank: found.priority_rank,
        };
        rememberRegistration(id, fresh, { title: a.title });
        reg = fresh;
        panelKey = null;
        paintAnnouncement();
        paintAll();
        paintBids();
      })
      .catch(() => {});
  }
  return () => {
    feed.stop();
    clearTimeout(refetchTimer);
    clearTimeout(auditTimer);
  };
}
