import { z } from "./zod.ts";

/**
 * Installed programs that agents may run (issue 17): the allow-list an administrator configures
 * (LIGHTBOOK_PROGRAMS, one or more JSON files of this shape), and what a run of one keeps. A
 * recipe step names a program instead of an algorithm; the server refuses a name that is not on
 * its list and parameters that do not fit the entry, and the agent runs only what its own copy of
 * the list says, never a path or argument that came with the run.
 *
 * Arguments are built from the entry's template, never by a shell: each `{name}` in an argument is
 * replaced by a declared parameter's value (checked against its type, so `;`, quotes or `$()`
 * cannot appear in one) or, for `{input}`, by the item's input as copied into the task's scratch
 * folder.
 */

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '_', '.', '-' (at most 64)");
/** A file the program writes, relative to its scratch folder. */
const scratchFile = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, "a file name in the scratch folder (letters, digits, '_', '.', '-')")
  .refine((s) => s !== "." && s !== "..", "a file name, not '.' or '..'");
/** A parameter value that can never be more than one word: no spaces, quotes, `;`, `$`, `/` or `..`. */
const token = z
  .string()
  .regex(/^[A-Za-z0-9_.,:+-]{1,64}$/, "letters, digits and '_', '.', ',', ':', '+', '-' only")
  .refine((s) => !s.includes(".."), "no '..'");

export const programParam = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("integer"), min: z.number().int().optional(), max: z.number().int().optional(), default: z.number().int().optional() }),
  z.strictObject({ type: z.literal("number"), min: z.number().optional(), max: z.number().optional(), default: z.number().optional() }),
  z.strictObject({ type: z.literal("enum"), values: z.array(token).min(1), default: token.optional() }),
  /** A word such as a space group symbol ("P212121"); see `token`. */
  z.strictObject({ type: z.literal("token"), default: token.optional() }),
]);
export type ProgramParam = z.infer<typeof programParam>;

export const programCommand = z.strictObject({
  /** An absolute path, or a name looked up on the agent's PATH when the agent starts. */
  executable: z.string().min(1).max(4096),
  args: z.array(z.string().max(4096)).max(256).default([]),
});

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

export const programEntry = z
  .strictObject({
    name,
    description: z.string().max(2000).default(""),
    /** Run in order in one scratch folder; the first that fails ends the task with its message. */
    commands: z.array(programCommand).min(1).max(32),
    params: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), programParam).default({}),
    /**
     * What each item of the step is: a file or a folder under the data root, copied into `input/`; or
     * (a reduce, input kind "results") the kept files of an earlier program step's results, copied
     * into `input/0/`, `input/1/`, … in item order.
     */
    input: z.enum(["file", "directory", "results"]),
    outputs: z
      .strictObject({
        /** Files kept under the results root (runs/<run>/<partition>/a<attempt>/), with size and sha256. */
        files: z.array(scratchFile).max(64).default([]),
        /** A JSON file parsed into the task's result (tables: a JSON array of row objects). */
        json: scratchFile.optional(),
      })
      .default({ files: [] }),
    /** Files copied into the scratch folder before the first command (paths relative to the allow-list file). */
    support: z.array(z.string().min(1).max(4096)).max(16).default([]),
    /** The whole chain is killed (its process group) past this. */
    time_limit_s: z
      .number()
      .positive()
      .max(7 * 24 * 3600),
    /** Tags of the agents that have the program installed. */
    tags: z.array(z.string().min(1).max(64)).default([]),
  })
  .superRefine((p, ctx) => {
    for (const [i, c] of p.commands.entries())
      for (const [j, a] of c.args.entries())
        for (const m of a.matchAll(PLACEHOLDER))
          if (m[1] !== "input" && !Object.hasOwn(p.params, m[1]!))
            ctx.addIssue({ code: "custom", path: ["commands", i, "args", j], message: `{${m[1]}} is neither {input} nor a declared parameter` });
  });
export type ProgramEntry = z.infer<typeof programEntry>;

export const programsFile = z.strictObject({ programs: z.array(programEntry).max(1000) });

/** The parameters of one entry as a strict schema: a misspelt or unsafe one is refused. */
export function programParamsSchema(p: ProgramEntry): z.ZodType<Record<string, string | number>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of Object.entries(p.params)) {
    let s: z.ZodType;
    if (spec.type === "enum") s = z.enum(spec.values as [string, ...string[]]);
    else if (spec.type === "token") s = token;
    else {
      let n = spec.type === "integer" ? z.number().int() : z.number();
      if (spec.min !== undefined) n = n.min(spec.min);
      if (spec.max !== undefined) n = n.max(spec.max);
      s = n;
    }
    shape[key] = spec.default === undefined ? s.optional() : s.default(spec.default as never);
  }
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, string | number>>;
}

/** The arguments of one command: the template with parameters and the scratch-relative input put in. */
export function expandArgs(args: string[], values: Record<string, string | number>, input: string): string[] {
  return args.flatMap((a) => {
    let dropped = false;
    const out = a.replace(PLACEHOLDER, (_, key: string) => {
      if (key === "input") return input;
      const v = values[key];
      // An optional parameter left out drops the argument that names it ("space_group={space_group}").
      if (v === undefined) dropped = true;
      return String(v ?? "");
    });
    return dropped ? [] : [out];
  });
}

/** One output file as kept. */
export const programFile = z.object({ name: z.string(), path: z.string(), size: z.number().int().min(0), sha256: z.string() });

/** One item's result of a program step (the task's result holds one per item). */
export const programResult = z.object({
  program: z.string(),
  exit_code: z.number().int(),
  seconds: z.number(),
  commands: z.array(z.object({ executable: z.string(), exit_code: z.number().int(), seconds: z.number() })),
  stdout_tail: z.string(),
  stderr_tail: z.string(),
  /** The full log (every command's stdout and stderr), relative to the results root; null without one. */
  log: z.string().nullable(),
  files: z.array(programFile),
  json: z.unknown(),
});
export type ProgramResult = z.infer<typeof programResult>;

/** One entry of GET /api/lightbook/programs: the allow-list as the server has it, and the agents that offer each. */
export const programModel = z.object({
  name: z.string(),
  description: z.string(),
  executables: z.array(z.string()),
  input: z.enum(["file", "directory", "results"]),
  params: z.record(z.string(), programParam),
  outputs: z.object({ files: z.array(z.string()), json: z.string().optional() }),
  time_limit_s: z.number(),
  tags: z.array(z.string()),
  agents: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ProgramModel = z.infer<typeof programModel>;
