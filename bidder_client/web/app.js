// The shell: header, language switch and a small hash router (#/path?query).

import { clock, logout, onAuthChange, session, startClockSync } from "./api.js";
import { duration, getLang, number, setLang, t, timeOnly } from "./i18n.js";
import { go, parseHash } from "./router.js";
import { loadRules } from "./rules.js";
import { clear, fill, h } from "./ui.js";
import { renderAuction } from "./views/auction.js";
import { renderList } from "./views/list.js";
import { renderLogin } from "./views/login.js";
import { renderMe } from "./views/me.js";
import { renderStaff, renderStaffLot } from "./views/staff.js";
import { renderStats } from "./views/stats.js";

const routes = [
  [/^\/?$/, renderList, "auctions"],
  [/^\/auctions$/, renderList, "auctions"],
  [/^\/auction\/(\d+)$/, renderAuction, "auctions"],
  [/^\/login$/, renderLogin, "login"],
  [/^\/signup$/, (el, p, ctx) => renderLogin(el, p, ctx, { signup: true }), "login"],
  [/^\/me$/, renderMe, "me"],
  [/^\/staff$/, renderStaff, "staff"],
  [/^\/staff\/lot\/(\d+)$/, renderStaffLot, "staff"],
  [/^\/stats$/, renderStats, "stats"],
];

let current = { cleanup: null, ctx: null };

function renderHeader(section) {
  const auth = session();
  fill(document.querySelector(".brand-text"), 
    h("strong", {}, t("brand")),
    h("small", {}, t("brand_sub")),
  );
  const link = (href, key, name) =>
    h("a", { href, class: section === name ? "active" : null, "aria-current": section === name ? "page" : null }, t(key));
  const nav = [link("#/", "nav_auctions", "auctions")];
  if (auth?.role === "bidder") nav.push(link("#/me", "nav_me", "me"));
  if (auth?.role === "staff") nav.push(link("#/staff", "nav_staff", "staff"));
  nav.push(link("#/stats", "nav_stats", "stats"));
  fill(document.getElementById("nav"), ...nav);

  const actions = [];
  if (auth) {
    actions.push(
      h(
        "span",
        { class: "who", title: auth.court || "" },
        h("span", { class: `role-dot ${auth.role}`, "aria-hidden": "true" }),
        h("span", { class: "who-name", "data-testid": "who" }, auth.username),
        h("small", { class: "who-role" }, t(auth.role === "staff" ? "role_staff" : "role_bidder")),
      ),
      h(
        "button",
        {
          type: "button",
          class: "btn ghost small",
          onclick: () => {
            logout();
            go("/");
          },
        },
        t("nav_logout"),
      ),
    );
  } else {
    const { path } = parseHash();
    actions.push(h("a", { class: "btn small primary", href: `#/login?next=${encodeURIComponent(path)}` }, t("nav_login")));
  }
  actions.push(
    h(
      "button",
      {
        type: "button",
        class: "btn ghost small lang",
        "aria-label": t("lang_switch_label"),
        "data-testid": "lang-switch",
        onclick: () => {
          setLang(getLang() === "zh" ? "en" : "zh");
          route();
        },
      },
      t("lang_switch"),
    ),
  );
  fill(document.getElementById("top-actions"), ...actions);
}

let routing = 0;

async function route() {
  // Read once per page load (later calls answer from the cache): texts quote the service's rule numbers.
  const turn = ++routing;
  await loadRules().catch(() => null);
  if (turn !== routing) return; // a later hash change took over while the rules were read
  if (current.ctx) current.ctx.alive = false;
  if (current.cleanup) {
    try {
      current.cleanup();
    } catch {
      /* ignore */
    }
  }
  current = { cleanup: null, ctx: null };
  const { path, query } = parseHash();
  let match = null;
  let view = renderList;
  let section = "auctions";
  for (const [re, fn, name] of routes) {
    match = re.exec(path);
    if (match) {
      view = fn;
      section = name;
      break;
    }
  }
  renderHeader(section);
  const main = document.getElementById("main");
  clear(main);
  const ctx = { query, params: match ? match.slice(1) : [], onTick: null, alive: true };
  current.ctx = ctx;
  const mine = current;
  try {
    const cleanup = await view(main, ctx.params, ctx);
    if (current === mine) current.cleanup = () => {
      ctx.alive = false;
      if (typeof cleanup === "function") cleanup();
    };
    else {
      ctx.alive = false;
      if (typeof cleanup === "function") cleanup();
    }
  } catch (e) {
    console.error(e);
    main.append(h("div", { class: "alert error", role: "alert" }, String(e?.message || e)));
  }
}

// One ticker for every countdown on the page.
setInterval(() => {
  const fn = current.ctx?.onTick;
  if (fn) fn();
}, 250);

// The service's clock when it does not run at real speed (the demo: ten times as fast): its speed, its time
// and how far it runs ahead of the visitor's own clock, so that times on the page that look wrong are explained.
function renderSimClock() {
  const strip = document.getElementById("sim-clock");
  if (!strip) return;
  strip.hidden = clock.anchorServer === null || clock.speed === 1;
  if (strip.hidden) return;
  const now = clock.now();
  const ahead = now - Date.now();
  const key = ahead >= 60_000 ? "sim_clock_ahead" : ahead <= -60_000 ? "sim_clock_behind" : "sim_clock";
  strip.textContent = t(key, {
    speed: number(clock.speed, clock.speed % 1 ? 1 : 0),
    time: timeOnly(new Date(now).toISOString()),
    ahead: duration(Math.abs(ahead)),
  });
}
setInterval(renderSimClock, 1000);

window.addEventListener("hashchange", route);
onAuthChange(() => renderHeader(parseHash().path.split("/")[1] || "auctions"));
startClockSync();
route();
