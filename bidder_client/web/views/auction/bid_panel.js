// The bid panel: sign in, register (freeze the deposit) or bid: one increment, n increments or an
// amount, each after a confirmation; a refusal for the amount offers the lowest valid amount.
// The panel is rebuilt only when its shape changes (so typing is not interrupted).

import { api, rememberRegistration } from "../../api.js";
import { errorText, money, parseYuan, t } from "../../i18n.js";
import { clear, confirmStep, h } from "../../ui.js";
import { ENDED, nextBid, stepsAmount } from "./state.js";

/** Builds the panel; returns {el, paint, update, showMessage, flashOutbid, reshape}.
 * ``page``: {id, a, reg, me, bids, paintAll, emitBid} (``reg`` is replaced on registering). */
export function bidPanel(page) {
  const el = h("section", { class: "panel bid-panel", "aria-label": t("bid_panel") });
  const message = h("div", { class: "bid-message", role: "alert", "aria-live": "assertive" });
  const refs = {};
  let panelKey = null;
  let sending = false;

  function paint() {
    const role = page.me?.role || "anon";
    const key = `${role}|${page.reg ? "reg" : "noreg"}|${page.a.status}`;
    if (key !== panelKey) {
      panelKey = key;
      build(role);
    }
    update();
  }

  function build(role) {
    const { a, reg, id } = page;
    clear(el);
    for (const k of Object.keys(refs)) delete refs[k];
    el.append(h("h2", {}, t("bid_panel")));
    if (ENDED.has(a.status)) {
      el.append(h("p", { class: "muted" }, t("bidding_over")));
      if (reg) el.append(codeLine(reg));
      return;
    }
    if (role === "anon") {
      el.append(h("a", { class: "btn primary block", href: `#/login?next=${encodeURIComponent(`/auction/${id}`)}` }, t("login_to_bid")));
      return;
    }
    if (role === "staff") {
      el.append(h("p", { class: "alert info" }, t("staff_no_bid")));
      return;
    }
    if (!reg) {
      refs.accept = h("input", { type: "checkbox", "data-testid": "accept-terms", id: `accept-terms-${id}` });
      const terms = h("a", { href: `/api/v1/auctions/${id}/terms`, target: "_blank", rel: "noopener" }, t("terms_doc_title"));
      refs.register = h(
        "button",
        { type: "button", class: "btn primary block", "data-testid": "register", onclick: doRegister },
        t("register_cta", { amount: money(a.deposit) }),
      );
      el.append(
        h("label", { class: "accept-terms", for: `accept-terms-${id}` }, refs.accept, " ", t("accept_terms_label"), " ", terms),
        refs.register,
        h("p", { class: "muted small" }, t("register_note")),
        message,
      );
      readTerms();
      return;
    }
    el.append(codeLine(reg));
    if (reg.priority_rank) el.append(h("p", { class: "alert info" }, t("ann_priority_you", { n: reg.priority_rank })));
    refs.standing = h("div", { class: "standing", "data-testid": "standing" });
    el.append(refs.standing);
    if (a.status === "announced") el.append(h("p", { class: "muted" }, t("bidding_not_open")));
    else if (a.status === "suspended") el.append(h("p", { class: "alert warn" }, t("bidding_suspended")));
    buildBidding(a.status === "live");
  }

  function buildBidding(live) {
    const { id, a } = page;
    refs.one = h("button", {
      type: "button",
      class: "btn primary block bid-one",
      "data-testid": "bid-one",
      disabled: !live,
      onclick: () => placeBid(nextBid(page.a)),
    });
    refs.steps = h("input", { type: "number", min: "1", step: "1", value: "2", inputmode: "numeric", id: `steps-${id}`, "data-testid": "steps" });
    refs.stepsGo = h("button", {
      type: "button",
      class: "btn",
      "data-testid": "bid-steps",
      disabled: !live,
      onclick: () => {
        const n = Number(refs.steps.value);
        if (!Number.isInteger(n) || n < 1) return showMessage(t("err_steps_format"), "error");
        placeBid(stepsAmount(page.a, n));
      },
    });
    refs.steps.addEventListener("input", update);
    refs.custom = h("input", { type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "0.00", id: `custom-${id}`, "data-testid": "custom-amount" });
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
    el.append(
      refs.one,
      message, // beside the button most bids come from: the answer is seen without scrolling
      h("div", { class: "muted small center" }, t("bid_one_step_hint"), " · ", t("increment"), " ", money(a.increment)),
      h("div", { class: "bid-row" }, h("label", { for: refs.steps.id }, t("bid_n_steps")), h("div", { class: "inline" }, refs.steps, refs.stepsGo)),
      h("div", { class: "bid-row" }, h("label", { for: refs.custom.id }, t("bid_custom")), h("div", { class: "inline" }, refs.custom, refs.customGo)),
    );
  }

  function update() {
    const { a, reg, bids } = page;
    if (refs.one) refs.one.textContent = t("bid_one_step", { amount: money(nextBid(a)) });
    if (refs.stepsGo) {
      const n = Number(refs.steps.value);
      refs.stepsGo.textContent =
        Number.isInteger(n) && n >= 1 ? t("bid_n_steps_go_n", { n, amount: money(stepsAmount(a, n)) }) : t("bid_n_steps_go");
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
    if (text && message.isConnected) message.scrollIntoView?.({ block: "nearest" }); // in view, whatever the window
  }

  /** The version of the 竞买须知 the bidder is shown (named on registering, recorded by the court). */
  async function readTerms() {
    try {
      refs.termsVersion = (await api.terms(page.id)).version;
    } catch {
      refs.termsVersion = null; // registering then records the current version on the server
    }
  }

  async function doRegister() {
    const { a, id } = page;
    if (refs.accept && !refs.accept.checked) {
      showMessage(t("accept_terms_first"), "error");
      refs.accept.focus();
      return;
    }
    const ok = await confirmStep({
      title: t("confirm_title_register"),
      body: `${t("confirm_register", { amount: money(a.deposit) })} ${t("confirm_register_terms")}`,
      ok: t("confirm_register_ok", { amount: money(a.deposit) }),
      cancel: t("confirm_cancel"),
    });
    if (!ok || !refs.register) return;
    refs.register.disabled = true;
    try {
      const body = { accept_terms: true }; // the 竞买须知 ticked and the dialog confirmed
      if (refs.termsVersion) body.terms_version = refs.termsVersion;
      const r = await api.register(id, body);
      page.reg = r;
      rememberRegistration(id, r, { title: page.a.title });
      page.paintAll();
    } catch (e) {
      showMessage(errorText(e), "error");
      if (e.code === "terms_changed") {
        if (refs.accept) refs.accept.checked = false; // read the new text and tick again
        readTerms();
      }
      if (refs.register) refs.register.disabled = false;
    }
  }

  async function placeBid(amount) {
    if (sending) return;
    sending = true;
    const { id } = page;
    const ok = await confirmStep({
      title: t("confirm_title_bid"),
      body: t("confirm_bid", { amount: money(amount), title: page.a.title || t("auction_no", { id }) }),
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
      page.emitBid(r);
      if (refs.custom) refs.custom.value = "";
    } catch (e) {
      if (e.code === "bid_too_low" || e.code === "bid_not_on_increment") refusedWithMinimum(e);
      else showMessage(errorText(e), "error");
      if (e.code === "not_registered") {
        page.reg = null;
        page.paintAll();
      }
    } finally {
      sending = false;
      for (const b of [refs.one, refs.stepsGo, refs.customGo]) if (b) b.disabled = page.a.status !== "live";
    }
  }

  /** A refusal for the amount says the lowest valid amount now (the service's ``minimum``, else the
   * page's next bid) and offers to bid exactly that. */
  function refusedWithMinimum(e) {
    const minimum = Number.isInteger(e.extra?.minimum) ? e.extra.minimum : nextBid(page.a);
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

  /** Someone outbid the caller: clear the old message and flash the panel. */
  function flashOutbid() {
    showMessage("", "");
    el.classList.remove("flash-outbid");
    void el.offsetWidth;
    el.classList.add("flash-outbid");
  }

  return {
    el,
    paint,
    update,
    flashOutbid,
    reshape: () => {
      panelKey = null;
    },
  };
}

function codeLine(reg) {
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
