// Log in (bidders and court staff) and sign up (bidders).

import { login, signUp } from "../api.js";
import { errorText, t } from "../i18n.js";
import { go } from "../router.js";
import { field, h } from "../ui.js";

export async function renderLogin(main, _params, ctx, { signup = false } = {}) {
  const next = ctx.query.next || "";
  const username = h("input", { name: "username", autocomplete: "username", required: true, minlength: "3", maxlength: "64" });
  const password = h("input", {
    name: "password",
    type: "password",
    autocomplete: signup ? "new-password" : "current-password",
    required: true,
    minlength: signup ? "8" : null,
  });
  const realName = signup ? h("input", { name: "real_name", autocomplete: "name", required: true, maxlength: "200" }) : null;
  // Bidders are known by real name: the identity number is required (the service checks its check
  // character and that no other account holds it) and stored only as a keyed hash.
  const idNumber = signup
    ? h("input", { name: "id_number", autocomplete: "off", required: true, minlength: "18", maxlength: "18", "data-testid": "id-number" })
    : null;
  const message = h("div", { class: "form-message", role: "alert", "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn primary block" }, signup ? t("signup_go") : t("login_go"));
  const form = h(
    "form",
    {
      class: "auth-form panel",
      novalidate: false,
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        message.textContent = "";
        try {
          const auth = signup
            ? await signUp(username.value.trim(), password.value, realName.value.trim(), idNumber.value.trim())
            : await login(username.value.trim(), password.value);
          // Logged in; if the user went elsewhere meanwhile (the header already shows them logged in
          // while /me answers), they stay where they went instead of being taken back.
          if (!ctx.alive) return;
          if (next && next.startsWith("/")) go(next);
          else go(auth.role === "staff" ? "/staff" : "/");
        } catch (err) {
          message.textContent = errorText(err);
          submit.disabled = false;
        }
      },
    },
    h("h1", {}, signup ? t("signup_title") : t("login_title")),
    field(t("username"), username),
    field(t("password"), password),
    realName ? field(t("real_name"), realName) : null,
    idNumber ? field(t("id_number"), idNumber) : null,
    idNumber ? h("p", { class: "muted small" }, t("id_number_hint")) : null,
    message,
    submit,
    h(
      "p",
      { class: "center small" },
      h(
        "a",
        { href: `#/${signup ? "login" : "signup"}${next ? `?next=${encodeURIComponent(next)}` : ""}` },
        signup ? t("have_account") : t("no_account"),
      ),
    ),
  );
  main.append(h("div", { class: "auth-wrap" }, form));
  username.focus();
}
