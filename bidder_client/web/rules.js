// The service's rules (GET /api/v1/rules), read once per page load and kept: the only source of the
// rule numbers the client shows or checks (announcement periods, floors, deposit bounds, the extension
// window, the relisting window). What is worked out from them is in rules_calc.js.

import { request } from "./api.js";
import { setRuleTexts } from "./i18n.js";
import { ruleTexts } from "./rules_calc.js";

let answer = null;
let pending = null;

/** The rules answer (fetched on the first call, then cached; a failed read is tried again next time). */
export function loadRules() {
  if (answer) return Promise.resolve(answer);
  if (!pending) {
    pending = request("GET", "/rules", { anonymous: true })
      .then((rules) => {
        answer = rules;
        setRuleTexts(ruleTexts(rules));
        return rules;
      })
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

/** The rules if already read, else null (views that render before they arrive repaint after). */
export function rules() {
  return answer;
}

/** The categories of lot the rules know, in the service's order. */
export function categories() {
  return answer?.categories || [];
}

/** The next round the service plans for a lot (GET /lots/{id}/next-round). */
export function nextRound(lotId) {
  return request("GET", `/lots/${lotId}/next-round`, { anonymous: true });
}
