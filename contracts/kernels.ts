import { z } from "./zod.ts";

/** Kernel states as Jupyter Server reports them in `execution_state`. */
export const executionState = z.enum(["starting", "idle", "busy", "restarting", "dead"]);
export type ExecutionState = z.infer<typeof executionState>;

/** The Jupyter Server kernel model (GET /api/kernels/{id}). */
export const kernelModel = z.object({
  id: z.string(),
  name: z.string(),
  last_activity: z.string(),
  execution_state: executionState,
  connections: z.number().int().min(0),
});
export type KernelModel = z.infer<typeof kernelModel>;

/** Body of POST /api/kernels. */
export const startKernelBody = z.object({ name: z.string().min(1).optional(), path: z.string().optional() }).default({});
