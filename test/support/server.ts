import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT, TSX_LOADER } from "../../server/paths.ts";
import { createTestDatabase } from "./database.ts";

export interface RunningServer {
  /** Base URL with a trailing slash, without the token. */
  url: string;
  token: string;
  databaseUrl: string;
  stateDir: string;
  process: ChildProcess;
  /** What the server printed for its user on stdout so far. */
  stdout(): string;
  /** Its logs (stderr) so far. */
  stderr(): string;
  /** SIGTERM and wait for exit; keeps the database and state directory. */
  stop(): Promise<number | null>;
  /** stop() and remove the state directory. */
  dispose(): Promise<void>;
}

export interface ServerOptions {
  /** null: no DATABASE_URL, so the server runs its embedded PostgreSQL. Default: a new test database. */
  databaseUrl?: string | null;
  stateDir?: string;
  token?: string;
  env?: Record<string, string>;
  web?: boolean;
}

const START_TIMEOUT_MS = 120_000;

/** Starts the real server (`server/main.ts`) as a child process on a free port. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const databaseUrl = opts.databaseUrl === null ? "" : (opts.databaseUrl ?? (await createTestDatabase()));
  const stateDir = opts.stateDir ?? (await mkdtemp(path.join(os.tmpdir(), "lightbook-state-")));
  await chmod(stateDir, 0o755);
  const token = opts.token ?? randomBytes(24).toString("hex");
  const child = spawn(process.execPath, ["--import", TSX_LOADER, path.join(PROJECT_ROOT, "server/main.ts")], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LIGHTBOOK_PORT: "0",
      LIGHTBOOK_TOKEN: token,
      LIGHTBOOK_STATE_DIR: stateDir,
      LIGHTBOOK_WEB: opts.web === false ? "0" : "1",
      // Kernels outlive a stopped server for this long (10 minutes by default), not piling up across a suite.
      LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: "15000",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const output = () => `${stdout}\n${stderr}`;
  let stopping = false;
  let started = false;
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // A server that dies under a test shows why in the test output (its logs are otherwise kept).
  void exited.then((code) => {
    if (!stopping && started) process.stderr.write(`\n[lightbook server exited unexpectedly with ${code}; last logs:]\n${stderr.slice(-4000)}\n`);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output()}`)), START_TIMEOUT_MS);
    const check = () => {
      const m = /Lightbook is running at (\S+)\?token=/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        started = true;
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output()}`));
    });
  });
  const stop = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return {
    url,
    token,
    databaseUrl,
    stateDir,
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop,
    dispose: async () => {
      await stop();
      if (!opts.stateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Runs the server where it must refuse to start; its exit code and what it printed. */
export async function runServerUntilExit(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "lightbook-state-"));
  const child = spawn(process.execPath, ["--import", TSX_LOADER, path.join(PROJECT_ROOT, "server/main.ts")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LIGHTBOOK_STATE_DIR: stateDir, LIGHTBOOK_WEB: "0", LIGHTBOOK_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  await rm(stateDir, { recursive: true, force: true });
  return { code, stdout, stderr };
}

/** A raw HTTP request, so paths reach the server exactly as written (fetch normalises `..`). */
export function rawRequest(
  server: RunningServer,
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; headers: import("node:http").IncomingHttpHeaders }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path: rawPath, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
