/**
 * Messages between an agent and its sandbox child processes (agent/sandbox/), which run functions
 * shipped as source in recipe steps. They travel over Node's IPC channel with `serialization:
 * "advanced"` (structured clone), so typed arrays in items and results keep their type.
 */
import { z } from "./zod.ts";

/** Agent → child. `init` binds a fresh child to one step's function; `call` runs it on one item in `cwd` (the task's scratch folder). */
export const toSandbox = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("init"), source: z.string(), dataRoot: z.string() }),
  z.object({ kind: z.literal("call"), id: z.number().int(), item: z.unknown(), params: z.record(z.string(), z.unknown()), cwd: z.string() }),
]);
export type ToSandbox = z.infer<typeof toSandbox>;

/**
 * Child → agent: `ready` after `init`, then a `result` or an `error` per call (an `error` without
 * id answers `init`). The shipped code can send anything through `process.send`, so the agent
 * parses every message with this schema and ends a child that breaks the protocol.
 */
export const fromSandbox = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ready") }),
  z.object({ kind: z.literal("result"), id: z.number().int(), value: z.unknown() }),
  z.object({ kind: z.literal("error"), id: z.number().int().optional(), name: z.string(), message: z.string(), stack: z.string().optional() }),
]);
export type FromSandbox = z.infer<typeof fromSandbox>;
