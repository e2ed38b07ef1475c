import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { frameMallocEnv } from "../../kernel/kernelspec/frame-malloc.ts";
import type { Logger } from "../log.ts";
import { PROJECT_ROOT, TSX_LOADER } from "../paths.ts";

const AGENT_MAIN = path.join(PROJECT_ROOT, "kernel/agent/main.ts");

/** Node agents that the server runs beside itself on the default, single-machine install. */
export class LocalAgents {
  private readonly children: ChildProcess[] = [];

  constructor(private readonly log: Logger) {}

  start(count: number, env: Record<string, string>): void {
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, ["--import", TSX_LOADER, AGENT_MAIN, "--name", `local-${i + 1}`, "--tags", "local"], {
        cwd: PROJECT_ROOT,
        // They are the server's: a killed server must not leave them running (kernel/agent/main.ts).
        env: { ...process.env, ...frameMallocEnv(), ...env, LIGHTBOOK_AGENT_EXIT_WITH_PARENT: "1" },
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("exit", (code, signal) => {
        if (code !== 0 && signal !== "SIGTERM") this.log.warn({ agent: `local-${i + 1}`, code, signal }, "local agent exited");
      });
      this.children.push(child);
    }
  }

  /** SIGTERM: each agent finishes what it runs, marks itself stopped and exits. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
  }
}
