import { z } from "zod";

/** Kernel states as Jupyter Server reports them in `execution_state`. */
export type ExecutionState = "starting" | "idle" | "busy" | "restarting" | "dead";

/** The Jupyter Server kernel model (GET /api/kernels/{id}). */
export interface KernelModel {
  id: string;
  name: string;
  last_activity: string;
  execution_state: ExecutionState;
  connections: number;
}

/** Body of POST /api/kernels. */
export const startKernelBody = z.object({ name: z.string().min(1).optional(), path: z.string().optional() }).default({});
