import { createServer, type Server } from "node:http";
import path from "node:path";
import { chmod, mkdir } from "node:fs/promises";
import { realpathSync } from "node:fs";
import { KERNEL_NAME, kernelSpec } from "../kernel/kernelspec/spec.ts";
import { LocalAgents } from "./agents/local-agents.ts";
import { createApp } from "./app.ts";
import { Accounts } from "./accounts/accounts.ts";
import { dummyHash } from "./accounts/passwords.ts";
import { Auth } from "./auth/auth.ts";
import { LoginLimits } from "./auth/login-limits.ts";
import { AuditLog } from "./audit/audit-log.ts";
import { Oidc } from "./auth/oidc.ts";
import { loadConfig, type Config } from "./config.ts";
import { ContentsManager } from "./contents/manager.ts";
import { NotebookRevisions } from "./notebooks/revisions.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { seedDemo } from "./demo/seed.ts";
import { coerceError } from "../runtime/errors.ts";
import { KernelManager } from "./kernels/manager.ts";
import { kernelChannelsEndpoint } from "./kernels/ws-upgrade.ts";
import { acceptWebSockets } from "./http/ws-upgrade.ts";
import { EventHub } from "./events/hub.ts";
import { eventStreamEndpoint } from "./events/endpoint.ts";
import { KernelStore } from "./kernels/store.ts";
import { KernelSpecRegistry } from "./kernelspecs/registry.ts";
import { createLogger, type Logger } from "../runtime/log.ts";
import { PROJECT_ROOT } from "./paths.ts";
import { openRuns, type Runs } from "./runs/service.ts";
import { SessionManager } from "./sessions/manager.ts";
import { writeCellOutputs } from "./notebooks/cell-outputs.ts";
import { NotebookRunner } from "./notebooks/runner.ts";
import { kernelTokens } from "./kernels/tokens.ts";
import { proposalOfNotebook } from "./proposals/proposals.ts";
import { LocalProvisioner, UnixUserProvisioner, type KernelProvisioner } from "./kernels/provisioner.ts";
import { cpuLimiter } from "./kernels/cpu-limit.ts";
import { AccessResolver, memberProposals } from "./auth/authorizer.ts";
import { runFollower } from "./runs/routes.ts";
import { lockStateDir } from "./state-lock.ts";
import { buildH5Web, h5webIsBuilt } from "./h5web/build.ts";
import { H5ReadPool } from "./h5grove/read-pool.ts";
import { buildWeb, webHandler, webIsBuilt } from "./web.ts";

/** Signals this close to the first are the same request to stop (see stop() in main). */
const REPEATED_SIGNAL_MS = 1000;

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
  const log = createLogger("lightbook");
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
  if (config.kernelIsolation.kind === "users") {
    if (process.getuid?.() !== 0) fail("LIGHTBOOK_KERNEL_ISOLATION=users runs kernels as their users' own Unix accounts: the server must run as root");
    // Kernel accounts pass through to the data root and their homes inside; they list and read nothing else here.
    await chmod(config.stateDir, 0o711);
  }
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
    runs = await openRuns(
      database.db,
      {
        databaseUrl: database.url,
        dataRoot: config.dataRoot,
        resultsRoot: config.resultsRoot,
        agentLostAfterMs: config.agentLostAfterMs,
        programs: config.programs,
      },
      log,
    );
  } catch (e: unknown) {
    server.close();
    await database.close();
    fail(`could not open the job queue: ${coerceError(e).message}`);
  }
  const hub = new EventHub(runs.pool, { databaseUrl: database.url, retentionMs: config.eventRetentionMs }, log.child({ part: "events" }));
  try {
    await hub.start();
  } catch (e: unknown) {
    server.close();
    await runs.close().catch(() => undefined);
    await database.close();
    fail(`could not read the event table: ${coerceError(e).message}`);
  }
  const access = new AccessResolver(memberProposals(database.db));
  const events = eventStreamEndpoint(hub, runs.pool, config.eventBufferBytes, runFollower(runs.manager, access), log.child({ part: "events" }));
  const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}/`;
  // Cells reach the server's REST API (workflow.map submits runs) with their kernel's own token.
  const apiHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const apiUrl = `http://${apiHost.includes(":") ? `[${apiHost}]` : apiHost}:${port}/`;
  const accounts = new Accounts(database.db);
  const runtimeDir = path.join(config.stateDir, "runtime");
  const provisioner = await kernelProvisioner(config, runtimeDir, log);
  const kernels = new KernelManager(
    specs,
    {
      runtimeDir,
      env: { LIGHTBOOK_DATA_ROOT: config.dataRoot, LIGHTBOOK_API_URL: apiUrl },
      orphanGraceMs: config.kernelOrphanGraceMs,
    },
    log,
    new KernelStore(database.db),
    kernelTokens(accounts),
    provisioner,
  );
  const sessions = new SessionManager(kernels, database.db, proposalOfNotebook(database.db));
  const runner = new NotebookRunner({
    kernels,
    sessions,
    contents,
    store: (path, cells) => writeCellOutputs(database.db, path, cells),
    log,
  });
  // Kernels left running by the previous server (stopped or killed) are taken over before any
  // request, after the runner, so that it follows them too.
  await kernels.reattachAll();
  await sessions.load();
  const audit = new AuditLog(database.db, log.child({ part: "audit" }));
  const firstStart = await accounts.firstStart();
  const auth = new Auth(accounts, config.token, await accounts.bootstrapAdmin(), config.allowOrigins);
  const agents = new LocalAgents(log);
  const h5read = new H5ReadPool({ root: realpathSync(config.dataRoot), maxReadBytes: config.maxReadBytes }, log);
  const app = createApp({
    access,
    login: { auth, limits: new LoginLimits(config.loginLimits), dummyHash: await dummyHash(), oidc: config.oidc && new Oidc(config.oidc), audit },
    db: database.db,
    contents,
    revisions: new NotebookRevisions(database.db),
    kernels,
    sessions,
    runner,
    specs,
    log,
    runs,
    events,
    agentLostAfterMs: config.agentLostAfterMs,
    programs: config.programs,
    resultsRoot: config.resultsRoot,
    agentRestarts: (host, pid) => agents.restartsOf(host, pid),
    dataRoot: config.dataRoot,
    h5read,
    web: web ? await webHandler() : undefined,
  });
  server.removeAllListeners("request");
  server.on("request", app);
  acceptWebSockets(server, auth, [kernelChannelsEndpoint(kernels, access, audit, log), events], log);

  agents.start(config.localAgents, {
    DATABASE_URL: database.url,
    LIGHTBOOK_DATA_ROOT: config.dataRoot,
    LIGHTBOOK_RESULTS_ROOT: config.resultsRoot,
    LIGHTBOOK_AGENT_LOST_MS: String(config.agentLostAfterMs),
    ...(config.programsFiles ? { LIGHTBOOK_PROGRAMS: config.programsFiles } : {}),
  });

  // One write, so whoever waits for the URL line has the lines after it too.
  const where = database.embedded ? `Data: embedded PostgreSQL in ${path.join(config.stateDir, "postgres")}, data root ${config.dataRoot}\n` : "";
  const once = firstStart
    ? `First start: created the admin account "admin". Open ${base}login/once?code=${firstStart.code} once (within 24 hours) to log in as admin and set its password.\n`
    : "";
  process.stdout.write(`Lightbook is running at ${base}?token=${config.token}\n${once}${where}`);

  let stoppingSince: number | undefined;
  const stop = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C under `npm start` arrives twice: the terminal signals the process group and npm
      // forwards it once more. That is one request to stop; a later signal means leave now.
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      // Agents are killed with the process group; kernels lead their own and stay for the grace.
      process.exit(130);
    }
    stoppingSince = Date.now();
    log.info({ signal }, "shutting down");
    server.close();
    // Kernels stay running for the next server to reattach (or end after their orphan grace).
    await Promise.allSettled([kernels.close(), agents.stop(), h5read.close()]);
    await hub.stop().catch(() => undefined);
    await runs.close().catch(() => undefined);
    await audit.flush().catch((e: unknown) => log.error({ err: coerceError(e).message }, "could not write the audit trail's last events"));
    await database.close();
    await unlockStateDir().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

await main();

/** Where kernels run: as the server's user, or (LIGHTBOOK_KERNEL_ISOLATION=users) as their users' own accounts, CPU-bounded where cgroups allow. */
async function kernelProvisioner(config: Config, runtimeDir: string, log: Logger): Promise<KernelProvisioner> {
  const isolation = config.kernelIsolation;
  if (isolation.kind !== "users") return new LocalProvisioner(runtimeDir, PROJECT_ROOT);
  const cpu = await cpuLimiter(isolation.cpus);
  if (cpu.kind) log.info({ cgroups: cpu.kind, cpusPerUser: isolation.cpus }, "kernels' CPU bounded per user");
  else log.warn({ why: cpu.why }, "kernels' CPU is not bounded");
  return new UnixUserProvisioner(isolation.homes, PROJECT_ROOT, isolation, cpu);
}
