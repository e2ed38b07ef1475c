import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";

/** How the last lines of a kernel's stderr are kept to explain a failed start. */
const STDERR_LINES = 20;

export interface KernelProcess {
  child: ChildProcess;
  /** The last lines the process wrote on stderr. */
  stderrTail(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function removeConnectionFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Spawns a kernel from its kernelspec argv, `{connection_file}` substituted, as Jupyter does. */
export function spawnKernel(argv: readonly string[], connectionFile: string, env: NodeJS.ProcessEnv, cwd: string, onStderr: (line: string) => void): KernelProcess {
  const [cmd, ...args] = argv.map((a) => a.replace("{connection_file}", connectionFile));
  const child = spawn(cmd!, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  let partial = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > STDERR_LINES) tail.shift();
      onStderr(line);
    }
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: null, signal: null }));
  });
  return { child, stderrTail: () => [...tail, partial].filter(Boolean).join("\n"), exited };
}
