// The rounds the statistics name, in order, and the key figure of the shares sold in each: pure (tests/web/
// runs it). The law has two auction rounds before 变卖; a research profile may hold more
// (GET /rules: auction_rounds), and the statistics then name each round an auction ended in ("3"...).

const LAW_ROUNDS = ["1", "2", "sale"];

/** The rounds of a {round: figure} answer (e.g. share_sold_by_round) in order: 1, 2, 3, …, then "sale";
 * the law's when the answer names none (an answer without the key still shows its three shares as —). */
export function roundsOf(byRound) {
  const keys = Object.keys(byRound || {});
  if (!keys.length) return LAW_ROUNDS;
  const numbered = keys.filter((r) => r !== "sale").sort((a, b) => Number(a) - Number(b));
  return keys.includes("sale") ? [...numbered, "sale"] : numbered;
}

/** The rounds a round filter offers under ``rules`` (GET /rules): each auction round, then 变卖 unless
 * the profile offers none (``sale_offered: false``: a 变卖 filter could only ever show an empty list). */
export function roundsUnder(rules) {
  const n = Number(rules?.auction_rounds) || 2;
  const sale = rules?.sale_offered === false ? [] : ["sale"];
  return [...Array.from({ length: n }, (_, i) => String(i + 1)), ...sale];
}

/** The key figure "share of the sales made in each round": the label names the rounds in the order the
 * value gives their shares, so that a third round's share is never read as 变卖's. ``t`` looks texts up,
 * ``percent`` formats a share. */
export function roundSharesKpi(shares, t, percent) {
  const rounds = roundsOf(shares);
  const name = (r) =>
    r === "sale" ? t("kpi_round_shares_sale") : t("kpi_round_shares_name", { n: r, round: t(`round_${r}`) });
  return {
    label: t("kpi_round_shares", { rounds: rounds.map(name).join(t("kpi_round_shares_sep")) }),
    value: rounds.map((r) => percent(shares?.[r], 0)).join(" / "),
  };
}
