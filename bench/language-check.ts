/**
 * What a cell's type check costs in the kernel's language worker (kernel/language/), and the
 * worker's memory: 50 cells that each declare a constant, a function, an interface and an object
 * are checked and committed one after the other through LanguageClient, as the kernel does for
 * every executed cell; then one completion. Guards the language worker's memory settings
 * (bench/kernel-memory.ts) against making checks slower.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/language-check.ts [--cells 50]
 *
 * One run per process (a stopped worker's memory stays in the process), so run it a few times.
 * It prints the wall time of each check (median, p90), CPU time of the process over all checks (the
 * main thread only waits, so it is the worker's), and the process's RSS at the end.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { LanguageClient } from "../kernel/language/language-client.ts";
import { quantile } from "./stats.ts";

const { values } = parseArgs({ options: { cells: { type: "string", default: "50" } } });
const CELLS = Number(values.cells);

const rssMiB = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) / 1024;

function cell(i: number): string {
  return [
    `const x${i} = ${i};`,
    `function f${i}(a: number): string { return String(a + x${i}); }`,
    `interface I${i} { a: number; b: string }`,
    `const o${i}: I${i} = { a: f${i}(1).length, b: "s" };`,
  ].join("\n");
}

async function run(): Promise<{ median: number; p90: number; cpuMs: number; rss: number }> {
  const client = new LanguageClient(process.cwd());
  try {
    // The worker's start (loading TypeScript and the standard library's types) is not a check.
    await client.request({ op: "check", code: "" });
    const wall: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < CELLS; i++) {
      const start = performance.now();
      const diagnostics = await client.request({ op: "check", code: cell(i) });
      wall.push(performance.now() - start);
      if (diagnostics.length > 0) throw new Error(`cell ${i}: ${diagnostics[0]?.message}`);
      await client.request({ op: "commit", code: cell(i) });
    }
    const used = process.cpuUsage(cpu);
    const completion = await client.request({ op: "complete", code: `o${CELLS - 1}.`, cursor: `o${CELLS - 1}.`.length });
    if (!completion.matches.includes("a")) throw new Error("the completion misses a member");
    return { median: quantile(wall, 0.5), p90: quantile(wall, 0.9), cpuMs: (used.user + used.system) / 1000, rss: rssMiB() };
  } finally {
    await client.close();
  }
}

const loadStart = os.loadavg()[0]!;
const m = await run();
console.log(
  `${CELLS} cells: check median ${m.median.toFixed(1)} ms, p90 ${m.p90.toFixed(1)} ms, CPU ${(m.cpuMs / CELLS).toFixed(1)} ms per check, RSS ${m.rss.toFixed(0)} MiB` +
    ` (1-minute load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end)`,
);
