// Lint rules: typescript-eslint's recommended set; formatting is Prettier's (eslint-config-prettier
// turns off the rules it owns). Import direction is dependency-cruiser's (.dependency-cruiser.cjs).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/", "web/.next/", "web/h5web/dist/", "server/db/generated/", "web/next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" } },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring to drop a field, callbacks' positional args).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } },
  },
);
