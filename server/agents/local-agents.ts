import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { frameMallocEnv } from "../../analysis/frame-malloc.ts";
import type { Logger } from "../../runtime/log.ts";
import { PROJECT_ROOT, TSX_LOADER } from "../paths.ts";

const AGENT_MAIN = path.join(PROJECT_ROOT, "agent/main.ts");

/** Restart delay after a crash: 1 s, doubling up to 30 s; an agent that stayed up a minute starts again at 1 s. */
const FIRST_RESTART_MS = 1000;
const MAX_RESTART_MS = 30_000;
const STABLE_MS = 60_000;

/** One local agent and its history of restarts. */
interface Slot {
  name: string;
  child: ChildProcess;
  startedAt: number;
  restarts: number;
  nextDelayMs: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Node agents that the server runs beside itself on the default, single-machine install. One that
 * exits while the server runs (a crash, kill -9, out of memory) is started again with backoff.
 * Supervised here by hand: a restart is one spawn, and no process manager is installed beside npm.
 */
export class LocalAgents {
  private readonly slots: Slot[] = [];
  private stopping = false;

  constructor(private readonly log: Logger) {}

  start(count: number, env: Record<string, string>): void {
    for (let i = 0; i < count; i++) {
      const name = `local-${i + 1}`;
      const slot: Slot = { name, child: this.spawn(name, env), startedAt: Date.now(), restarts: 0, nextDelayMs: FIRST_RESTART_MS, timer: undefined };
      this.watch(slot, env);
      this.slots.push(slot);
    }
  }

  /** How often the server restarted the local agent running as `pid` on `host`; undefined for other agents. */
  restartsOf(host: string, pid: number): number | undefined {
    if (host !== os.hostname()) return undefined;
    return this.slots.find((s) => s.child.pid === pid)?.restarts;
  }

  /** SIGTERM: each agent finishes what it runs, marks itself stopped and exits. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) clearTimeout(s.timer);
    await Promise.all(
      this.slots.map(
        ({ child: c }) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
  }

  private spawn(name: string, env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, ["--import", TSX_LOADER, AGENT_MAIN, "--name", name, "--tags", "local"], {
      cwd: PROJECT_ROOT,
      // They are the server's: a killed server must not leave them running (agent/main.ts).
      env: { ...process.env, ...frameMallocEnv(), ...env, LIGHTBOOK_AGENT_EXIT_WITH_PARENT: "1" },
      stdio: ["ignore", "inherit", "inherit"],
    });
  }

  private watch(slot: Slot, env: Record<string, string>): void {
    slot.child.once("exit", (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - slot.startedAt >= STABLE_MS) slot.nextDelayMs = FIRST_RESTART_MS;
      const delayMs = slot.nextDelayMs;
      slot.nextDelayMs = Math.min(delayMs * 2, MAX_RESTART_MS);
      this.log.warn({ agent: slot.name, code, signal, restartInMs: delayMs, restarts: slot.restarts }, "local agent exited; restarting it");
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        if (this.stopping) return;
        slot.child = this.spawn(slot.name, env);
        slot.startedAt = Date.now();
        slot.restarts += 1;
        this.watch(slot, env);
      }, delayMs);
    });
  }
}
