import { createServer, type Server } from "node:http";
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { KERNEL_NAME, kernelSpec } from "../kernel/kernelspec/spec.ts";
import { LocalAgents } from "./agents/local-agents.ts";
import { createApp } from "./app.ts";
import { Auth } from "./auth/auth.ts";
import { loadConfig, type Config } from "./config.ts";
import { ContentsManager } from "./contents/manager.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { seedDemo } from "./demo/seed.ts";
import { coerceError } from "./errors.ts";
import { KernelManager } from "./kernels/manager.ts";
import { acceptKernelWebSockets } from "./kernels/ws-upgrade.ts";
import { KernelSpecRegistry } from "./kernelspecs/registry.ts";
import { createLogger } from "./log.ts";
import { PROJECT_ROOT } from "./paths.ts";
import { openRuns, type Runs } from "./runs/service.ts";
import { SessionManager } from "./sessions/manager.ts";
import { lockStateDir } from "./state-lock.ts";
import { buildH5Web, h5webIsBuilt } from "./h5web/build.ts";
import { buildWeb, webHandler, webIsBuilt } from "./web.ts";

const log = createLogger("lightbook");

/** One line on stderr and exit: start-up problems a user can fix need no stack trace. */
function fail(message: string): never {
  process.stderr.write(`lightbook: ${message}\n`);
  process.exit(1);
}

function listen(server: Server, config: Config): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(new Error(`port ${config.port} on ${config.host} is already in use; set LIGHTBOOK_PORT to another port`));
      else reject(e);
    });
    server.listen(config.port, config.host, () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : config.port);
    });
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e: unknown) {
    fail(coerceError(e).message);
  }
  const web = process.env.LIGHTBOOK_WEB !== "0";
  if (web && !webIsBuilt()) {
    process.stdout.write("Building the web app (first start only)…\n");
    buildWeb();
  }
  if (web && !h5webIsBuilt()) await buildH5Web();
  // Bind first: a port in use is reported before anything else starts.
  const server = createServer((_req, res) => {
    res.writeHead(503, { "Content-Type": "application/json", "Retry-After": "2" }).end(JSON.stringify({ message: "Lightbook is starting" }));
  });
  const port = await listen(server, config).catch((e: unknown) => fail(coerceError(e).message));

  await mkdir(config.dataRoot, { recursive: true });
  await mkdir(config.stateDir, { recursive: true });
  const unlockStateDir = await lockStateDir(config.stateDir, log).catch((e: unknown) => {
    server.close();
    return fail(coerceError(e).message);
  });
  let database: Database;
  try {
    database = await openDatabase(config, log);
  } catch (e: unknown) {
    server.close();
    fail(coerceError(e).message);
  }
  const spec = kernelSpec();
  const specs = new KernelSpecRegistry([spec], KERNEL_NAME);
  const identity = { name: spec.name, display_name: spec.spec.display_name, language: spec.spec.language };
  const contents = new ContentsManager(database.db, identity);
  if (config.demo) await seedDemo(contents, config.dataRoot, identity);
  let runs: Runs;
  try {
    await mkdir(config.resultsRoot, { recursive: true });
    runs = await openRuns(database.db, { databaseUrl: database.url, dataRoot: config.dataRoot, resultsRoot: config.resultsRoot, agentLostAfterMs: config.agentLostAfterMs }, log);
  } catch (e: unknown) {
    server.close();
    await database.close();
    fail(`could not open the job queue: ${coerceError(e).message}`);
  }
  const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}/`;
  // Cells reach the server's REST API (workflow.map submits runs) with the server's token.
  const apiHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const apiUrl = `http://${apiHost.includes(":") ? `[${apiHost}]` : apiHost}:${port}/`;
  const kernels = new KernelManager(
    specs,
    {
      runtimeDir: path.join(config.stateDir, "runtime"),
      cwd: PROJECT_ROOT,
      env: { LIGHTBOOK_DATA_ROOT: config.dataRoot, LIGHTBOOK_API_URL: apiUrl, LIGHTBOOK_TOKEN: config.token },
    },
    log,
  );
  const sessions = new SessionManager(kernels);
  const auth = new Auth(config.token, config.allowOrigins);
  const app = createApp({ auth, db: database.db, contents, kernels, sessions, specs, log, runs, agentLostAfterMs: config.agentLostAfterMs, dataRoot: config.dataRoot, web: web ? await webHandler() : undefined });
  server.removeAllListeners("request");
  server.on("request", app);
  acceptKernelWebSockets(server, auth, kernels, log);

  const agents = new LocalAgents(log);
  agents.start(config.localAgents, {
    DATABASE_URL: database.url,
    LIGHTBOOK_DATA_ROOT: config.dataRoot,
    LIGHTBOOK_RESULTS_ROOT: config.resultsRoot,
    LIGHTBOOK_AGENT_LOST_MS: String(config.agentLostAfterMs),
  });

  // One write, so whoever waits for the URL line has the lines after it too.
  const where = database.embedded ? `Data: embedded PostgreSQL in ${path.join(config.stateDir, "postgres")}, data root ${config.dataRoot}\n` : "";
  process.stdout.write(`Lightbook is running at ${base}?token=${config.token}\n${where}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: leave now; kernels and agents are killed with the process group.
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    server.close();
    await Promise.allSettled([kernels.shutdownAll(), agents.stop()]);
    await runs.close().catch(() => undefined);
    await database.close();
    await unlockStateDir().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

await main();
