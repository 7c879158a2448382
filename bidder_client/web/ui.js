// Small DOM helpers shared by the views.

import { categoryText, roundText, statusText, t } from "./i18n.js";

/** h("div", {class: "x", onclick: fn}, "text", child, [more]) -> Element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "html") el.innerHTML = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, "data-status": status }, statusText(status));
}

export function roundBadge(round) {
  return h("span", { class: "badge round" }, roundText(round));
}

export function categoryBadge(category) {
  return h("span", { class: "badge cat" }, categoryText(category));
}

let toastTimer = null;
export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.className = "toast";
  }, 5000);
}

export function loading() {
  return h("p", { class: "muted loading", role: "status" }, t("loading"));
}

export function errorBox(message, retry) {
  return h(
    "div",
    { class: "alert error", role: "alert" },
    h("span", {}, message),
    retry ? h("button", { type: "button", class: "btn small", onclick: retry }, t("retry")) : null,
  );
}

/** A labelled form field: label + control (+ hint). */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("small", { class: "hint" }, hint) : null,
  );
}

/** Ask for a text (a reason) in a modal dialog; resolves to the text or null. */
export function ask(question, { confirmOnly = false } = {}) {
  return new Promise((resolve) => {
    const input = confirmOnly ? null : h("textarea", { rows: "3", required: true, "aria-label": question });
    const dialog = h(
      "dialog",
      { class: "modal" },
      h(
        "form",
        { method: "dialog" },
        h("p", {}, question),
        input,
        h(
          "div",
          { class: "row end" },
          h("button", { type: "submit", value: "cancel", class: "btn ghost", formnovalidate: true }, "✕"),
          h("button", { type: "submit", value: "ok", class: "btn primary" }, "OK"),
        ),
      ),
    );
    document.body.appendChild(dialog);
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok";
      const value = confirmOnly ? ok : ok ? input.value.trim() || null : null;
      dialog.remove();
      resolve(value);
    });
    dialog.showModal();
    (input || dialog.querySelector("button[value=ok]")).focus();
  });
}

/** A confirmation step before a step with money at stake (freezing a deposit, a bid): a modal dialog
 * stating what will happen, the amount on the confirm button itself. Resolves true only on confirm;
 * Escape, the cancel button or closing the dialog resolve false. */
export function confirmStep({ title, body, ok, cancel }) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "modal confirm", "data-testid": "confirm-dialog", "aria-labelledby": "confirm-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "confirm-title" }, title),
        h("p", { "data-testid": "confirm-text" }, body),
        h(
          "div",
          { class: "row end" },
          h("button", { type: "submit", value: "cancel", class: "btn ghost", "data-testid": "confirm-cancel" }, cancel),
          h("button", { type: "submit", value: "ok", class: "btn primary", "data-testid": "confirm-ok" }, ok),
        ),
      ),
    );
    document.body.appendChild(dialog);
    dialog.addEventListener("close", () => {
      const confirmed = dialog.returnValue === "ok";
      dialog.remove();
      resolve(confirmed);
    });
    dialog.showModal();
    dialog.querySelector("button[value=ok]").focus();
  });
}

/** Replace an element's children (null/false children are skipped, arrays flattened). */
export function fill(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** The priority holder's mark beside a bidder code: Art. 19 gives holders of different ranks different
 * priority codes, so a holder's code is shown with its rank ("优先1"); null for other bidders. */
export function priorityTag(priority, rank) {
  if (!priority && !rank) return null;
  const text = rank ? t("priority_mark_rank", { n: rank }) : t("priority_mark");
  return h("span", { class: "tag prio", "data-testid": "prio-rank" }, text);
}
