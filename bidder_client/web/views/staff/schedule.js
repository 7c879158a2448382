// Scheduling the lot's next round: the service plans the round (GET /lots/{id}/next-round) and the form
// checks what the staff types against the rules as they type (schedule_checks.js); the service checks
// again on submit.

import { api, clock } from "../../api.js";
import { dateTime, errorText, money, parseYuan, roundText, t, timeZone, yuanInput } from "../../i18n.js";
import { fromLocalInput, toLocalInput } from "../../format.js";
import { field, fill, h, toast } from "../../ui.js";
import { scheduleChecks, scheduleDefaults } from "./schedule_checks.js";

const MONEY_PARAMS = new Set(["amount", "lo", "hi"]);

/** Why no round can be scheduled, from the plan's ``blocked`` ({code, message}). */
export function blockedText(blocked) {
  const key = `blocked_${blocked.code}`;
  const text = t(key);
  return text === key ? blocked.message || blocked.code : text;
}

function checkText({ key, params }) {
  const shown = {};
  for (const [name, value] of Object.entries(params)) {
    if (MONEY_PARAMS.has(name)) shown[name] = money(value);
    else if (name === "time") shown[name] = dateTime(new Date(value).toISOString(), { seconds: false });
    else if (name === "round") shown[name] = t(`round_${value}`); // 二拍, 三拍 ...
    else shown[name] = value;
  }
  return t(key, shown);
}

/** The panel; ``plan`` is the next-round answer, ``rules`` the rules answer (null if unread). */
export function scheduleForm(lot, plan, rules, reload) {
  const panel = h("section", { class: "panel", "data-testid": "schedule" });
  if (!plan || !rules || !plan.schedulable) {
    const why = plan?.blocked ? blockedText(plan.blocked) : errorText({ code: "network_error" });
    panel.append(h("h2", {}, t("schedule_none_title")), h("p", { class: "alert info" }, t("schedule_blocked", { why })));
    return panel;
  }
  const proposed = scheduleDefaults(plan, lot, rules, clock.now());
  const startPrice = h("input", { name: "starting_price", inputmode: "decimal", value: yuanInput(proposed.startingPrice) });
  const inc = h("input", { name: "increment", inputmode: "decimal", value: yuanInput(proposed.increment) });
  const deposit = h("input", { name: "deposit", inputmode: "decimal", value: yuanInput(proposed.deposit) });
  const startAt = h("input", { name: "start_at", type: "datetime-local", value: toLocalInput(proposed.startAt) });
  const endAt = h("input", { name: "end_at", type: "datetime-local", value: toLocalInput(proposed.endAt) });
  const checks = h("ul", { class: "checks", "aria-live": "polite", "data-testid": "checks" });
  const message = h("div", { class: "form-message", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn primary block" }, t("schedule_go"));

  function evaluate() {
    const input = {
      startingPrice: parseYuan(startPrice.value),
      increment: parseYuan(inc.value),
      deposit: parseYuan(deposit.value),
      startAt: fromLocalInput(startAt.value),
      endAt: fromLocalInput(endAt.value),
    };
    const list = scheduleChecks(input, plan, lot, rules, clock.now());
    fill(
      checks,
      list.map((c) => h("li", { class: c.ok ? "ok" : "bad" }, checkText(c))),
    );
    const ok = list.every((c) => c.ok);
    submit.disabled = !ok;
    if (!ok) return null;
    return {
      starting_price: input.startingPrice,
      increment: input.increment,
      deposit: input.deposit,
      start_at: new Date(input.startAt).toISOString(),
      end_at: new Date(input.endAt).toISOString(),
    };
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
    h("h3", { class: "small" }, t("schedule_checks"), " · ", t("rules_profile", { name: rules.profile })),
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
