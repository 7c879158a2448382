// The public HTTP API (docs/api-contract.md), the caller's session, and the server clock.

const AUTH_KEY = "auction.auth";
const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

// ---------------------------------------------------------------- session

let auth = (() => {
  try {
    return JSON.parse(localStorage.getItem(AUTH_KEY)) || null;
  } catch {
    return null;
  }
})();
const authListeners = new Set();

export function session() {
  return auth;
}

export function onAuthChange(fn) {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

function saveAuth(next) {
  auth = next;
  if (next) localStorage.setItem(AUTH_KEY, JSON.stringify(next));
  else localStorage.removeItem(AUTH_KEY);
  for (const fn of authListeners) fn(auth);
}

export async function login(username, password) {
  const form = new URLSearchParams({ username, password });
  const tok = await request("POST", "/auth/token", { form, anonymous: true });
  return useToken(tok, username);
}

/** Keep a token answer's token and role, then fill in the account from /me. */
async function useToken(tok, username) {
  saveAuth({ token: tok.access_token, role: tok.role, username });
  try {
    const me = await request("GET", "/me");
    saveAuth({ ...auth, real_name: me.real_name, court: me.court, id: me.id });
  } catch {
    /* the token works; /me is a nicety */
  }
  return auth;
}

export async function signUp(username, password, realName, idNumber) {
  const body = { username, password, real_name: realName, id_number: idNumber }; // 实名: required
  const made = await request("POST", "/bidders", { body, anonymous: true });
  // The answer carries the new account's token (a contract addition): no login, no second password
  // hash. A service without it: log in as before.
  return made.access_token ? useToken(made, username) : login(username, password);
}

export function logout() {
  saveAuth(null);
}

// ---------------------------------------------------------------- requests

/** "/api/v1" + path + "?query" (empty values left out). */
export function apiUrl(path, query) {
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, v);
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}

export async function request(method, path, { body, form, query, anonymous = false, headers = {} } = {}) {
  const url = apiUrl(path, query);
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (!anonymous && auth?.token) init.headers.Authorization = `Bearer ${auth.token}`;
  if (form) {
    init.body = form;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, "network_error", String(e));
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data?.error || {};
    if (res.status === 401 && auth && !anonymous) saveAuth(null); // expired or invalid token
    throw new ApiError(res.status, err.code || `http_${res.status}`, err.message || res.statusText, err);
  }
  if (data && typeof data === "object" && "server_time" in data) clock.observe(data.server_time);
  return data;
}

export const api = {
  auctions: (query) => request("GET", "/auctions", { query }),
  auction: (id) => request("GET", `/auctions/${id}`),
  bids: (id, afterSeq = 0) => request("GET", `/auctions/${id}/bids`, { query: { after_seq: afterSeq } }),
  result: (id) => request("GET", `/auctions/${id}/result`),
  register: (id, body) => request("POST", `/auctions/${id}/registrations`, body ? { body } : {}),
  // the 竞买须知 with its version (SHA-256), named when registering
  terms: (id) => request("GET", `/auctions/${id}/terms.json`),
  bid: (id, amount) =>
    request("POST", `/auctions/${id}/bids`, { body: { amount }, headers: { "Idempotency-Key": newKey() } }),
  lots: (query) => request("GET", "/lots", { query }),
  lot: (id) => request("GET", `/lots/${id}`),
  createLot: (body) => request("POST", "/lots", { body }),
  schedule: (lotId, body) => request("POST", `/lots/${lotId}/auctions`, { body }),
  suspend: (id, reason) => request("POST", `/auctions/${id}/suspend`, { body: { reason } }),
  // reason: why the auction resumes (the cause removed, the 暂缓 period over); recorded in the action log
  resume: (id, reason) => request("POST", `/auctions/${id}/resume`, reason ? { body: { reason } } : {}),
  // ground: one of the legal grounds (views/staff/withdraw.js); reason: a note added to it
  withdraw: (id, reason, ground) =>
    request("POST", `/auctions/${id}/withdraw`, { body: ground ? { ground, ...(reason ? { reason } : {}) } : { reason } }),
  // grounds: reason, renounced, ruling_number, evidence, amount, paid_on (each optional)
  settle: (id, outcome, grounds = {}) => request("POST", `/auctions/${id}/settlement`, { body: { outcome, ...grounds } }),
  // grounds: reason, kind, basis, notice_date (each sent only when given)
  priorityHolder: (id, username, rank, grounds = {}) =>
    request("POST", `/auctions/${id}/priority-holders`, {
      body: { username, rank, ...Object.fromEntries(Object.entries(grounds).filter(([, v]) => v)) },
    }),
  stats: (query) => request("GET", "/stats", { query }),
  statsMonthly: (query) => request("GET", "/stats/monthly", { query }),
  me: () => request("GET", "/me"),
  myRegistrations: () => request("GET", "/me/registrations"),
  myBids: (limit = 500) => request("GET", "/me/bids", { query: { limit } }),
  priorityHolders: (id) => request("GET", `/auctions/${id}/priority-holders`),
  audit: (id) => request("GET", `/auctions/${id}/audit`),
  deposits: (id) => request("GET", `/auctions/${id}/deposits`),
  documents: (lotId) => request("GET", `/lots/${lotId}/documents`),
  uploadDocument: (lotId, file, kind) => {
    const form = new FormData();
    form.append("file", file, file.name);
    if (kind) form.append("kind", kind);
    return request("POST", `/lots/${lotId}/documents`, { form });
  },
  dispose: (lotId, outcome, note) =>
    request("POST", `/lots/${lotId}/disposition`, { body: note ? { outcome, note } : { outcome } }),
  clock: () => request("GET", "/clock", { anonymous: true }),
};

export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

// ---------------------------------------------------------------- the server's clock

/** The server's simulated clock, extrapolated locally: server = anchor + (local elapsed) × speed. */
export const clock = {
  anchorServer: null, // ms
  anchorLocal: 0, // performance.now() at the anchor
  speed: 1,
  observe(serverIso, { atLocal } = {}) {
    const ms = Date.parse(serverIso);
    if (Number.isNaN(ms)) return;
    this.anchorServer = ms;
    this.anchorLocal = atLocal ?? performance.now();
  },
  now() {
    if (this.anchorServer === null) return Date.now();
    return this.anchorServer + (performance.now() - this.anchorLocal) * this.speed;
  },
  async sync() {
    const sent = performance.now();
    try {
      const c = await api.clock();
      const got = performance.now();
      this.speed = Number(c.speed) || 1;
      this.observe(c.now, { atLocal: (sent + got) / 2 }); // the server read its clock mid-flight
    } catch {
      /* keep extrapolating */
    }
    return this;
  },
};

let syncTimer = null;
export function startClockSync(everyMs = 5000) {
  if (syncTimer) return;
  clock.sync();
  syncTimer = setInterval(() => clock.sync(), everyMs);
}

/** Links to the published confirmation of a sale (成交确认书). */
export function confirmationUrls(auctionId) {
  return { html: `${BASE}/auctions/${auctionId}/confirmation`, pdf: `${BASE}/auctions/${auctionId}/confirmation.pdf` };
}

// ---------------------------------------------------------------- my registrations (a local cache; the server is the record)

function regKey() {
  return auth ? `auction.regs.${auth.username}` : null;
}

export function myRegistrations() {
  const key = regKey();
  if (!key) return {};
  try {
    return JSON.parse(localStorage.getItem(key)) || {};
  } catch {
    return {};
  }
}

export function myRegistration(auctionId) {
  return myRegistrations()[auctionId] || null;
}

export function rememberRegistration(auctionId, reg, extra = {}) {
  const key = regKey();
  if (!key) return;
  const all = myRegistrations();
  all[auctionId] = { ...reg, ...extra, auction_id: Number(auctionId) };
  localStorage.setItem(key, JSON.stringify(all));
}
