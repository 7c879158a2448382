// Text lookup: pure (the dictionaries are passed in), so tests/web/ runs it under Node.

/** The text for ``key`` in ``lang`` with {name} placeholders filled from ``params``, then ``defaults``
 * (the rule numbers every page may quote, see rules.js). English singulars: a key's "_one" form is used
 * when n is 1 ("1 bid", not "1 bids"). Falls back to Chinese, then to the key itself. */
export function translate(dicts, lang, key, params = {}, defaults = {}) {
  const dict = dicts[lang] || dicts.zh;
  const one = params.n === 1 || params.n === "1" ? dict[`${key}_one`] : undefined;
  const text = one ?? dict[key] ?? dicts.zh[key] ?? key;
  return fillIn(text, params, defaults);
}

/** "{name}" -> params.name (else defaults.name; else left as it is). */
export function fillIn(text, params = {}, defaults = {}) {
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    name in params ? String(params[name]) : name in defaults ? String(defaults[name]) : m,
  );
}

/** Refusal text for an API error ({status, code, message}) from a language's table of codes. */
export function refusal(table, err, generic, defaults = {}) {
  const text = table[err.code];
  if (text) return fillIn(text, { message: err.message || "" }, defaults);
  return err.message ? `${generic}: ${err.message}` : generic;
}
