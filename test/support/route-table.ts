import type { Express } from "express";
import { createApp, type AppParts } from "../../server/app.ts";

interface Layer {
  route?: { path: string | RegExp; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route of an Express app as `METHOD path` (the path as declared: a pattern or a regular
 * expression's source), read from its router's stack: the table a test of the whole API walks.
 */
export function routeTable(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route)
        for (const m of Object.keys(l.route.methods)) out.push(`${m.toUpperCase()} ${typeof l.route.path === "string" ? l.route.path : l.route.path.source}`);
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/**
 * The server's own route table: createApp over parts that are never called (building the routers
 * only stores them), so no request is served from it; the test sends its requests to a real server.
 */
export function serverRouteTable(): string[] {
  const inert: ProxyHandler<() => void> = { get: (_t, key) => (key === "then" ? undefined : new Proxy(() => undefined, inert)) };
  return routeTable(createApp(new Proxy(() => undefined, inert) as unknown as AppParts));
}
