/** Replaces (or appends) one `## section` of BENCHMARKS.md; run the benchmark under `flock /tmp/benchmarks.lock`. */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export async function writeBenchmarkSection(heading: string, section: string): Promise<void> {
  const file = path.join(import.meta.dirname, "..", "BENCHMARKS.md");
  const old = await readFile(file, "utf8").catch(() => "# Benchmarks\n\n");
  const start = old.indexOf(heading);
  const end = start < 0 ? -1 : old.indexOf("\n## ", start + 1);
  // One blank line between sections, whatever the section's own ending.
  const body = `${section.trimEnd()}\n`;
  const updated = start < 0 ? `${old.trimEnd()}\n\n${body}` : `${old.slice(0, start)}${body}${end < 0 ? "" : `\n${old.slice(end + 1)}`}`;
  await writeFile(file, updated);
}

/** The environment for a Python peer: OPENBLAS_* unset for speed runs (see the env README), one thread. */
export function pythonBenchEnv(): NodeJS.ProcessEnv {
  const { OPENBLAS_CORETYPE: _c, OPENBLAS_L2_SIZE: _l, ...env } = process.env;
  return { ...env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
}
