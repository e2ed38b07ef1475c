import { z } from "zod";
import type { KernelModel } from "../kernels/model.ts";

/** The Jupyter Server session model (GET /api/sessions/{id}). */
export interface SessionModel {
  id: string;
  path: string;
  name: string;
  type: string;
  kernel: KernelModel;
  /** Kept by Jupyter Server for clients of the old notebook API. */
  notebook: { path: string; name: string };
}

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
