/**
 * The allow-list of installed programs (contracts/programs.ts) as the server and each agent read
 * it: LIGHTBOOK_PROGRAMS names one or more JSON files, separated by ':' like PATH. Both read the
 * same files, so the server refuses at submission what no agent would run, and an agent runs only
 * its own copy, whatever a run's recipe says.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "../runtime/errors.ts";
import { parseContract } from "../contracts/parse.ts";
import { programParamsSchema, programsFile, type ProgramEntry } from "../contracts/programs.ts";
import type { Recipe } from "../contracts/runs.ts";

export class ProgramsConfigError extends Error {
  override name = "ProgramsConfigError";
}

/** A step names a program the allow-list does not have, or gives it parameters that do not fit. */
export class ProgramNotAllowedError extends InvalidInputError {}

/** Entries by name, their `support` files made absolute (relative to the file that lists them). */
export type Programs = ReadonlyMap<string, ProgramEntry>;

export function readPrograms(list: string | undefined): Programs {
  const out = new Map<string, ProgramEntry>();
  for (const file of (list ?? "").split(":").filter(Boolean)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (e: unknown) {
      throw new ProgramsConfigError(`LIGHTBOOK_PROGRAMS: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let parsed;
    try {
      parsed = parseContract(programsFile, raw, `the program allow-list ${file}`);
    } catch (e: unknown) {
      throw new ProgramsConfigError(`LIGHTBOOK_PROGRAMS: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const p of parsed.programs) {
      if (out.has(p.name)) throw new ProgramsConfigError(`LIGHTBOOK_PROGRAMS: program ${p.name} is listed twice (again in ${file})`);
      out.set(p.name, { ...p, support: p.support.map((s) => path.resolve(path.dirname(path.resolve(file)), s)) });
    }
  }
  return out;
}

/** The entry a step names, or a ProgramNotAllowedError that names the program and what is allowed. */
export function allowedProgram(programs: Programs, name: string): ProgramEntry {
  const p = programs.get(name);
  if (!p) {
    const known = [...programs.keys()].sort();
    throw new ProgramNotAllowedError(
      `program ${JSON.stringify(name)} is not on the allow-list (${known.length ? `allowed: ${known.join(", ")}` : "no programs are configured: LIGHTBOOK_PROGRAMS"})`,
    );
  }
  return p;
}

/** A step's program parameters checked against its entry, defaults filled in. */
export function programParams(p: ProgramEntry, params: unknown): Record<string, string | number> {
  const r = programParamsSchema(p).safeParse(params ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".") || "(all)";
  const known = Object.keys(p.params);
  throw new ProgramNotAllowedError(
    `${p.name}: parameter ${where}: ${issue.code === "unrecognized_keys" ? `unknown (it takes ${known.length ? known.join(", ") : "none"})` : issue.message}`,
  );
}

/** Refuses a recipe whose program steps the allow-list does not allow (before any task is queued). */
export function checkProgramSteps(programs: Programs, recipe: Recipe): void {
  for (const s of recipe.steps) if (s.program !== undefined) programParams(allowedProgram(programs, s.program), s.params);
}
