// eslint for the web client (plain ES modules served as they are, no build step) and its unit tests.
// Run by scripts/check_js.sh.

import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "test-artifacts/"] },
  js.configs.recommended,
  {
    files: ["bidder_client/web/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.browser } },
  },
  {
    files: ["tests/web/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
];
