// Hash routes: #/path?query

export function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs = ""] = raw.split("?");
  return { path, query: Object.fromEntries(new URLSearchParams(qs)) };
}

export function go(path, query) {
  const entries = query ? Object.entries(query).filter(([, v]) => v !== "" && v !== null && v !== undefined) : [];
  const qs = new URLSearchParams(entries).toString();
  const next = `#${path}${qs ? `?${qs}` : ""}`;
  if (location.hash === next) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = next;
}
