import { existsSync } from "node:fs";
import path from "node:path";
import { h5wasm } from "../../kernel/analysis/hdf5/module.ts";
import { HttpError } from "../errors.ts";
import type { Step, TaskInput } from "./model.ts";

/** At most this many tasks in one run: each is a row and a queue job. */
export const MAX_TASKS_PER_RUN = 100_000;

/** A file under the data root, or a 400 that names it. */
export function dataPath(dataRoot: string, file: string): string {
  const full = path.resolve(dataRoot, file);
  if (!full.startsWith(path.resolve(dataRoot) + path.sep)) throw new HttpError(400, `not under the data root: ${file}`, "Bad Request");
  return full;
}

/** The length of an HDF5 dataset's first axis (the frame count of a detector stack). */
export async function frameCount(dataRoot: string, file: string, dataset: string): Promise<number> {
  const full = dataPath(dataRoot, file);
  if (!existsSync(full)) throw new HttpError(400, `no such file under the data root: ${file}`, "Bad Request");
  await h5wasm.ready;
  let h5: InstanceType<typeof h5wasm.File>;
  try {
    h5 = new h5wasm.File(full, "r");
  } catch {
    throw new HttpError(400, `not an HDF5 file: ${file}`, "Bad Request");
  }
  try {
    const entity = h5.get(dataset);
    if (!(entity instanceof h5wasm.Dataset)) throw new HttpError(400, `no dataset ${dataset} in ${file}`, "Bad Request");
    const shape = entity.shape;
    if (!shape || shape.length === 0) throw new HttpError(400, `dataset ${dataset} in ${file} is a scalar`, "Bad Request");
    return shape[0]!;
  } finally {
    h5.close();
  }
}

/**
 * A step's task inputs, in partition order: its items cut into chunks of `step.chunk`.
 * A `results` step is one task (it reduces the whole earlier step).
 */
export async function partitionStep(s: Step, dataRoot: string): Promise<TaskInput[]> {
  const input = s.input;
  const chunks = (n: number) => {
    const count = Math.ceil(n / s.chunk);
    if (count > MAX_TASKS_PER_RUN) throw new HttpError(400, `step ${s.id} makes ${count} tasks; at most ${MAX_TASKS_PER_RUN}: raise its chunk`, "Bad Request");
    return Array.from({ length: count }, (_, i) => [i * s.chunk, Math.min(n, (i + 1) * s.chunk)] as const);
  };
  switch (input.kind) {
    case "frames": {
      const stop = input.stop ?? (await frameCount(dataRoot, input.file, input.dataset));
      if (stop <= input.start) throw new HttpError(400, `step ${s.id}: no frames between ${input.start} and ${stop}`, "Bad Request");
      return chunks(stop - input.start).map(([a, b]) => ({ kind: "frames", file: input.file, dataset: input.dataset, start: input.start + a, stop: input.start + b }));
    }
    case "files":
      return chunks(input.files.length).map(([a, b]) => ({ kind: "files", files: input.files.slice(a, b) }));
    case "range":
      return chunks(input.stop - input.start).map(([a, b]) => ({ kind: "range", start: input.start + a, stop: input.start + b }));
    case "items":
      return chunks(input.items.length).map(([a, b]) => ({ kind: "items", items: input.items.slice(a, b) }));
    case "results":
      return [{ kind: "results", step: input.step }];
  }
}
