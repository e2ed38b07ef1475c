/**
 * Installs the kernelspec where Jupyter looks for it:
 *   node --import tsx kernel/kernelspec/install.ts [--user | --prefix PREFIX]
 * --user (the default) writes to the Jupyter user data directory, --prefix to
 * PREFIX/share/jupyter/kernels. https://docs.jupyter.org/en/latest/use/jupyter-directories.html
 */
import { mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { KERNEL_NAME, kernelJson } from "./spec.ts";

function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(process.env.APPDATA ?? homedir(), "jupyter");
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
}

function kernelsDir(args: string[]): string {
  const [flag, value] = args;
  if (flag === undefined || (flag === "--user" && args.length === 1)) return join(userDataDir(), "kernels");
  if (flag === "--prefix" && value !== undefined && args.length === 2) return join(value, "share", "jupyter", "kernels");
  throw new Error("usage: install.ts [--user | --prefix PREFIX]");
}

let dir: string;
try {
  dir = join(kernelsDir(process.argv.slice(2)), KERNEL_NAME);
} catch (e: unknown) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
await mkdir(dir, { recursive: true });
await writeFile(join(dir, "kernel.json"), JSON.stringify(kernelJson(), null, 2) + "\n");
console.log(`Installed kernelspec ${KERNEL_NAME} in ${dir}`);
