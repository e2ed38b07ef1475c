import express, { type Express, type RequestHandler } from "express";
import { agentRoutes } from "./agents/routes.ts";
import type { Auth } from "./auth/auth.ts";
import { loginRoutes, requireAuth } from "./auth/middleware.ts";
import { contentsRoutes } from "./contents/routes.ts";
import { dataRoutes } from "./data/routes.ts";
import { journalRoutes } from "./kernels/journal-routes.ts";
import type { ContentsManager } from "./contents/manager.ts";
import type { Db } from "./db/client.ts";
import { errorHandler, notFound } from "./http/errors.ts";
import { h5groveRoutes } from "./h5grove/routes.ts";
import { h5webRoutes } from "./h5web/routes.ts";
import { requestLog } from "./http/request-log.ts";
import type { Runs } from "./runs/service.ts";
import { metricsRoutes } from "./runs/metrics.ts";
import { runRoutes } from "./runs/routes.ts";
import { kernelRoutes } from "./kernels/routes.ts";
import type { KernelManager } from "./kernels/manager.ts";
import { kernelspecRoutes } from "./kernelspecs/routes.ts";
import type { KernelSpecRegistry } from "./kernelspecs/registry.ts";
import type { Logger } from "./log.ts";
import { sessionRoutes } from "./sessions/routes.ts";
import type { SessionManager } from "./sessions/manager.ts";

export const VERSION = "0.1.0";

/** The largest request body: a notebook saved with its outputs. */
const BODY_LIMIT = "200mb";

export interface AppParts {
  auth: Auth;
  db: Db;
  contents: ContentsManager;
  kernels: KernelManager;
  sessions: SessionManager;
  specs: KernelSpecRegistry;
  log: Logger;
  runs: Runs;
  agentLostAfterMs: number;
  /** LIGHTBOOK_DATA_ROOT, browsed read-only under /api/lightbook/data. */
  dataRoot: string;
  /** Serves the Next.js pages; absent when the web app is not built (API only). */
  web: RequestHandler | undefined;
}

/** The HTTP application: auth first, then the Jupyter Server API, Lightbook's API, the web app. */
export function createApp(p: AppParts): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestLog(p.log));
  app.use(loginRoutes(p.auth));
  app.use(requireAuth(p.auth));
  // Bodies are JSON whatever their Content-Type says: @jupyterlab/services' Request labels them
  // text/plain, and Jupyter Server parses them as JSON too.
  app.use("/api", express.json({ limit: BODY_LIMIT, type: () => true }));
  app.get("/api", (_req, res) => {
    res.json({ version: VERSION });
  });
  app.use(kernelspecRoutes(p.specs));
  app.use(kernelRoutes(p.kernels));
  app.use(sessionRoutes(p.sessions));
  app.use(contentsRoutes(p.contents));
  app.use(dataRoutes(p.dataRoot));
  app.use(h5groveRoutes(p.dataRoot));
  app.use(journalRoutes(p.kernels));
  app.use(agentRoutes(p.db, p.agentLostAfterMs));
  app.use(runRoutes(p.runs.manager));
  app.use(metricsRoutes(p.runs.pool, p.agentLostAfterMs));
  app.use("/api", notFound);
  if (p.web) {
    app.use(h5webRoutes());
    app.use(p.web);
  }
  app.use(notFound);
  app.use(errorHandler(p.log));
  return app;
}
