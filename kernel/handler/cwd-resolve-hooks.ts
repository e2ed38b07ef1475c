/**
 * Module resolution hook (runs on Node's loader thread): `lightbook-cwd:<parent URL>:<specifier>`
 * resolves <specifier> as if imported from <parent URL>, with Node's own ESM rules (exports maps,
 * "import" conditions) and the hooks registered before this one (tsx, for .ts files). Resolving
 * through the real loader keeps one module instance per URL, shared with everything else.
 * https://nodejs.org/docs/latest-v20.x/api/module.html#resolvespecifier-context-nextresolve
 */
import type { ResolveHook } from "node:module";

export const CWD_SCHEME = "lightbook-cwd:";

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (!specifier.startsWith(CWD_SCHEME)) return nextResolve(specifier, context);
  const rest = specifier.slice(CWD_SCHEME.length);
  const separator = rest.indexOf(":");
  const parentURL = decodeURIComponent(rest.slice(0, separator));
  return nextResolve(rest.slice(separator + 1), { ...context, parentURL });
};
