// The page's language (zh-CN by default; the choice is kept in localStorage) and the texts and formats
// in it. The texts live in i18n/{zh,en}*.js, the lookup in i18n/lookup.js, the formats in format.js.

import * as format from "./format.js";
import en from "./i18n/en.js";
import enStaff from "./i18n/en_staff.js";
import errors from "./i18n/errors.js";
import { refusal, translate } from "./i18n/lookup.js";
import zh from "./i18n/zh.js";
import zhStaff from "./i18n/zh_staff.js";

const STORE_KEY = "auction.lang";
const dicts = { zh: { ...zh, ...zhStaff }, en: { ...en, ...enStaff } };

// The rule numbers texts quote ({ext_minutes}, {floor1_pct}, ...), from the service's rules (rules.js).
let ruleTexts = {};
export function setRuleTexts(values) {
  ruleTexts = { ...values };
}

/** A first visit (nothing stored) follows the browser: the first of its preferred languages that is
 * Chinese or English decides; anything else gets Chinese, the platform's language. */
function browserLang() {
  const preferred = (typeof navigator !== "undefined" && (navigator.languages?.length ? navigator.languages : [navigator.language])) || [];
  for (const tag of preferred) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (base === "zh" || base === "en") return base;
  }
  return "zh";
}
let lang = (() => {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved === "en" || saved === "zh") return saved;
  } catch {
    /* storage unavailable */
  }
  return browserLang();
})();

export function getLang() {
  return lang;
}

export function locale() {
  return lang === "zh" ? "zh-CN" : "en-GB";
}

export function setLang(next) {
  lang = next === "en" ? "en" : "zh";
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = locale();
}

export function t(key, params = {}) {
  return translate(dicts, lang, key, params, ruleTexts);
}

/** Refusal text for an API error ({status, code, message}). */
export function errorText(err) {
  if (!err) return "";
  if (err.code === "network_error") return t("err_network");
  return refusal(errors[lang], err, t("err_generic", { code: err.code }), ruleTexts);
}

export function statusText(status) {
  return t(`st_${status}`);
}

export function roundText(round) {
  return t(`round_${round}`);
}

export function categoryText(category) {
  return t(`cat_${category}`);
}

// The law's round values: the auction list's filter offers each (the statistics page offers every round
// the rules hold: views/stats/rounds.js).
export const ROUNDS = ["1", "2", "sale"];

// ---------------------------------------------------------------- formats in the page's language

export const { money, parseYuan, yuanInput, fileSize, percent, timeZone } = format;

export function moneyShort(fen) {
  return format.moneyShort(fen, lang);
}

export function number(value, digits = 0) {
  return format.number(value, digits, locale());
}

export function dateTime(iso, { seconds = true } = {}) {
  return format.dateTime(iso, { seconds, locale: locale() });
}

export function timeOnly(iso) {
  return format.timeOnly(iso, locale());
}

export function duration(ms) {
  return format.duration(ms, lang);
}

document.documentElement.lang = locale(); // not stored: only a choice made in the page is kept
