import { z } from "./zod.ts";

/**
 * Kernelspecs: how Jupyter (and our server) starts a kernel, as kernel.json holds it and as
 * Jupyter Server's REST API lists it (GET /api/kernelspecs).
 * https://jupyter-client.readthedocs.io/en/latest/kernels.html#kernel-specs
 */

/** The content of kernel.json. */
export const kernelJson = z.object({
  argv: z.array(z.string()),
  display_name: z.string(),
  language: z.string(),
  /** 'message': interrupt_request on control, which stops synchronous loops (SIGINT works too). */
  interrupt_mode: z.enum(["signal", "message"]),
  /** Set in the kernel's environment by whoever starts it (Jupyter does, and our server). */
  env: z.record(z.string(), z.string()),
  metadata: z.record(z.string(), z.unknown()),
});
export type KernelJson = z.infer<typeof kernelJson>;

/** A kernelspec as GET /api/kernelspecs/{name} returns it. */
export const kernelSpecModel = z.object({
  name: z.string(),
  spec: kernelJson,
  /** Resource name → URL (logos, kernel.js); none yet. */
  resources: z.record(z.string(), z.string()),
});
export type KernelSpecModel = z.infer<typeof kernelSpecModel>;

/** What a notebook's metadata says of its kernel (nbformat's `kernelspec`, with the language). */
export type KernelIdentity = Pick<KernelJson, "display_name" | "language"> & { name: string };

/** Lightbook's TypeScript kernel: the name notebooks and sessions ask for, and how it is shown. */
export const LIGHTBOOK_KERNEL = { name: "lightbook-ts", display_name: "TypeScript (Lightbook)", language: "typescript" } as const satisfies KernelIdentity;
