import { z } from "./zod.ts";
import { kernelModel } from "./kernels.ts";

/** The Jupyter Server session model (GET /api/sessions/{id}). */
export const sessionModel = z.object({
  id: z.string(),
  path: z.string(),
  name: z.string(),
  type: z.string(),
  kernel: kernelModel,
  /** Kept by Jupyter Server for clients of the old notebook API. */
  notebook: z.object({ path: z.string(), name: z.string() }),
});
export type SessionModel = z.infer<typeof sessionModel>;

const kernelRef = z.object({ id: z.string().optional(), name: z.string().optional() });

export const createSessionBody = z.object({
  path: z.string().min(1),
  name: z.string().default(""),
  type: z.string().default("notebook"),
  kernel: kernelRef.default({}),
});

export const updateSessionBody = z.object({
  path: z.string().min(1).optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  kernel: kernelRef.optional(),
});
