import express, { type Express, type RequestHandler } from "express";
import { agentRoutes } from "./agents/routes.ts";
import { accountRoutes } from "./accounts/routes.ts";
import { adminRoutes } from "./admin/routes.ts";
import { AdminUsers } from "./admin/users.ts";
import { auditRequests } from "./audit/requests.ts";
import { auditRoutes } from "./audit/routes.ts";
import { loginRoutes, requireAuth, type LoginDeps } from "./auth/middleware.ts";
import { contentsRoutes } from "./contents/routes.ts";
import type { NotebookRevisions } from "./notebooks/revisions.ts";
import { dataRoutes } from "./data/routes.ts";
import { journalRoutes } from "./kernels/journal-routes.ts";
import type { ContentsManager } from "./contents/manager.ts";
import type { Db } from "./db/client.ts";
import { errorHandler, notFound } from "./http/errors.ts";
import { limitJsonDepth } from "./http/json-depth.ts";
import type { H5ReadPool } from "./h5grove/read-pool.ts";
import { h5groveRoutes } from "./h5grove/routes.ts";
import { h5webRoutes } from "./h5web/routes.ts";
import { requestLog } from "./http/request-log.ts";
import { refuseAmbiguousPaths } from "./http/request-path.ts";
import { securityHeaders } from "./http/security-headers.ts";
import type { Runs } from "./runs/service.ts";
import type { EventStreamStats } from "./events/endpoint.ts";
import { metricsRoutes } from "./runs/metrics.ts";
import { algorithmRoutes } from "./algorithms/routes.ts";
import { programRoutes } from "./programs/routes.ts";
import type { Programs } from "../queue/programs.ts";
import { runRoutes } from "./runs/routes.ts";
import { kernelRoutes } from "./kernels/routes.ts";
import type { KernelManager } from "./kernels/manager.ts";
import { kernelspecRoutes } from "./kernelspecs/routes.ts";
import type { KernelSpecRegistry } from "./kernelspecs/registry.ts";
import type { Logger } from "../runtime/log.ts";
import { VERSION } from "../runtime/version.ts";
import { sessionRoutes } from "./sessions/routes.ts";
import type { SessionManager } from "./sessions/manager.ts";
import type { NotebookRunner } from "./notebooks/runner.ts";
import { revisionRoutes } from "./notebooks/revision-routes.ts";
import { executionRoutes } from "./notebooks/execution-routes.ts";
import { contentsFolders } from "./proposals/folders.ts";
import { Proposals } from "./proposals/proposals.ts";
import { myProposalRoutes } from "./proposals/routes.ts";
import type { AccessResolver } from "./auth/authorizer.ts";

/** The largest request body: a notebook or file saved through the Contents API with its outputs. */
const CONTENTS_BODY_LIMIT = "200mb";
/**
 * Every other body. A run's recipe is stored whole and read by each agent that runs it, so it stays
 * far below a notebook: 16 MB holds MAX_TASKS_PER_RUN items of about 150 bytes each.
 */
const BODY_LIMIT = "16mb";

/** Bodies parsed once: the first parser that matches marks the request, later ones pass it on. */
function jsonBodies(limit: string): RequestHandler {
  return express.json({ limit, type: () => true });
}

export interface AppParts {
  /** What each principal reaches (server/auth/authorizer.ts), shared with the WebSocket endpoints. */
  access: AccessResolver;
  /** Authentication, the login pages' rate limits and single sign-on. */
  login: LoginDeps;
  db: Db;
  contents: ContentsManager;
  revisions: NotebookRevisions;
  kernels: KernelManager;
  sessions: SessionManager;
  /** Runs notebooks' cells on the server and stores their outputs (server/notebooks/). */
  runner: NotebookRunner;
  specs: KernelSpecRegistry;
  log: Logger;
  runs: Runs;
  events: EventStreamStats;
  agentLostAfterMs: number;
  /** The allow-listed programs (GET /api/lightbook/programs). */
  programs: Programs;
  /** Where agents keep program outputs and logs (GET …/tasks/{partition}/log). */
  resultsRoot: string;
  /** How often the server restarted a local agent (LocalAgents.restartsOf). */
  agentRestarts: (host: string, pid: number) => number | undefined;
  /** LIGHTBOOK_DATA_ROOT, browsed read-only under /api/lightbook/data. */
  dataRoot: string;
  /** Reads HDF5 for the h5grove API off the server's thread. */
  h5read: H5ReadPool;
  /** Serves the Next.js pages; absent when the web app is not built (API only). */
  web: RequestHandler | undefined;
}

/** The HTTP application: auth first, then the Jupyter Server API, Lightbook's API, the web app. */
export function createApp(p: AppParts): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestLog(p.log));
  app.use(securityHeaders());
  app.use(refuseAmbiguousPaths);
  app.use(loginRoutes(p.login));
  app.use(requireAuth(p.login.auth, p.login.audit));
  app.use(auditRequests(p.login.audit));
  // Bodies are JSON whatever their Content-Type says: @jupyterlab/services' Request labels them
  // text/plain, and Jupyter Server parses them as JSON too.
  app.use("/api/contents", jsonBodies(CONTENTS_BODY_LIMIT));
  app.use("/api", jsonBodies(BODY_LIMIT));
  app.use("/api", limitJsonDepth);
  app.get("/api", (_req, res) => {
    res.json({ version: VERSION });
  });
  app.use(accountRoutes(p.login.auth.accounts));
  const folders = contentsFolders(p.contents, "lightbook");
  const proposals = new Proposals(p.db, p.dataRoot, folders, () => p.access.forget());
  app.use(myProposalRoutes(proposals));
  app.use(
    adminRoutes({
      users: new AdminUsers(p.db, folders, () => {
        p.access.forget();
        p.login.auth.accounts.forgetTokens();
      }),
      proposals,
      sockets: p.login.auth.sockets,
      access: p.access,
    }),
  );
  app.use(auditRoutes(p.login.audit, p.access));
  app.use(kernelspecRoutes(p.specs));
  app.use(kernelRoutes(p.kernels, p.access));
  app.use(sessionRoutes(p.sessions, p.kernels, p.access));
  app.use(contentsRoutes(p.contents, p.access));
  app.use(revisionRoutes(p.revisions, p.access));
  app.use(dataRoutes(p.dataRoot, p.access));
  app.use(h5groveRoutes(p.h5read, p.dataRoot, p.access));
  app.use(journalRoutes(p.kernels, p.access));
  app.use(executionRoutes(p.runner, p.login.audit, p.access));
  app.use(agentRoutes(p.db, p.agentLostAfterMs, p.agentRestarts));
  app.use(algorithmRoutes());
  app.use(programRoutes(p.db, p.programs, p.agentLostAfterMs, p.resultsRoot, p.runs.manager, p.access));
  app.use(runRoutes(p.runs.manager, p.access));
  app.use(metricsRoutes(p.runs.pool, p.agentLostAfterMs, p.events, p.access));
  app.use("/api", notFound);
  if (p.web) {
    app.use(h5webRoutes());
    app.use(p.web);
  }
  app.use(notFound);
  app.use(errorHandler(p.log));
  return app;
}
