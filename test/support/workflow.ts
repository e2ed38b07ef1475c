import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT, TSX_LOADER } from "../../server/paths.ts";
import type { RunModel } from "../../contracts/runs.ts";
import type { RunningServer } from "./server.ts";

/** A node agent process started by a test (`node --import tsx agent/main.ts`). */
export interface AgentProcess {
  name: string;
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export function spawnAgent(
  databaseUrl: string,
  name: string,
  /** `prefix`: a command the agent runs under, e.g. `ip netns exec NS` for an agent on its own network. */
  opts: { concurrency?: number; env?: Record<string, string>; dataRoot?: string; tags?: string[]; prefix?: string[] } = {},
): AgentProcess {
  const argv = [
    process.execPath,
    "--import",
    TSX_LOADER,
    path.join(PROJECT_ROOT, "agent/main.ts"),
    "--name",
    name,
    "--concurrency",
    String(opts.concurrency ?? 1),
    "--tags",
    (opts.tags ?? []).join(","),
  ];
  const [command, ...args] = [...(opts.prefix ?? []), ...argv] as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LIGHTBOOK_AGENT_HEARTBEAT_MS: "1000",
      LIGHTBOOK_AGENT_LOST_MS: "5000",
      ...(opts.dataRoot ? { LIGHTBOOK_DATA_ROOT: opts.dataRoot } : {}),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return { name, process: child, output: () => out, exited };
}

/** Waits until the agent has printed that it registered. */
export async function agentReady(a: AgentProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => /registered/.test(a.output()),
    timeoutMs,
    () => `agent ${a.name} did not register:\n${a.output()}`,
  );
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, message: () => string, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(message());
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** JSON over the server's REST API with its token. */
export async function api<T = unknown>(
  server: RunningServer,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(p.replace(/^\//, ""), server.url), {
    method,
    headers: { Authorization: `token ${server.token}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function submitRun(server: RunningServer, body: unknown): Promise<RunModel> {
  const r = await api<RunModel>(server, "POST", "/api/lightbook/runs", body);
  if (r.status !== 201 && r.status !== 200) throw new Error(`POST /runs answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function waitForRun(server: RunningServer, id: string, timeoutMs: number): Promise<RunModel> {
  let last: RunModel | undefined;
  await waitFor(
    async () => {
      last = (await api<RunModel>(server, "GET", `/api/lightbook/runs/${id}`)).body;
      return ["succeeded", "failed", "cancelled"].includes(last.state);
    },
    timeoutMs,
    () => `run ${id} did not end in ${timeoutMs} ms: ${JSON.stringify(last?.counts)} ${last?.state}`,
    200,
  );
  return last!;
}

/** A direct connection to the server's database, for assertions on rows. */
export async function withDb<T>(databaseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function stopProcess(p: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (p.exitCode === null && p.signalCode === null) p.kill(signal);
}
