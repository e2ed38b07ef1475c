import { resolveDataPath } from "../../analysis/data-root.ts";
import { AnalysisError } from "../../analysis/errors.ts";
import { h5wasm } from "../../analysis/hdf5/module.ts";
import { InvalidInputError } from "../../runtime/errors.ts";
import type { Step, TaskInput } from "../../contracts/runs.ts";

/** At most this many tasks in one run, all its steps together: each is a row and a queue job. */
export const MAX_TASKS_PER_RUN = 100_000;

/** The data root, and the folders of it a run may read (its scope; "" is all of it). */
export interface RunData {
  root: string;
  folders: readonly string[];
}

/**
 * A file in the run's folders of the data root, through the analysis library's resolver (`..`,
 * absolute paths and symlinks that lead outside are refused; a file outside the folders is
 * answered as missing), or an error that names it.
 */
export function dataPath(data: RunData, file: string, mustExist: boolean): string {
  try {
    return resolveDataPath(file, { root: data.root, mustExist, folders: data.folders });
  } catch (e: unknown) {
    // A recipe naming such a path is a bad request (400), not a forbidden or missing resource.
    if (e instanceof AnalysisError) throw new InvalidInputError(e.message, { cause: e });
    throw e;
  }
}

/** The length of an HDF5 dataset's first axis (the frame count of a detector stack). */
export async function frameCount(data: RunData, file: string, dataset: string): Promise<number> {
  const full = dataPath(data, file, true);
  await h5wasm.ready;
  let h5: InstanceType<typeof h5wasm.File>;
  try {
    h5 = new h5wasm.File(full, "r");
  } catch {
    throw new InvalidInputError(`not an HDF5 file: ${file}`);
  }
  try {
    const entity = h5.get(dataset);
    if (!(entity instanceof h5wasm.Dataset)) throw new InvalidInputError(`no dataset ${dataset} in ${file}`);
    const shape = entity.shape;
    if (!shape || shape.length === 0) throw new InvalidInputError(`dataset ${dataset} in ${file} is a scalar`);
    return shape[0]!;
  } finally {
    h5.close();
  }
}

/**
 * A step's task inputs, in partition order: its items cut into chunks of `step.chunk`.
 * A `results` step is one task (it reduces the whole earlier step). `earlier`: the run's tasks of
 * other steps, counted against the run's cap.
 */
export async function partitionStep(s: Step, data: RunData, earlier = 0): Promise<TaskInput[]> {
  const input = s.input;
  const capped = (count: number) => {
    if (earlier + count <= MAX_TASKS_PER_RUN) return;
    const others = earlier > 0 ? ` after ${earlier} of its other steps` : "";
    throw new InvalidInputError(`step ${s.id} makes ${count} tasks${others}; a run makes at most ${MAX_TASKS_PER_RUN}: raise its chunk`);
  };
  const chunks = (n: number) => {
    const count = Math.ceil(n / s.chunk);
    capped(count);
    return Array.from({ length: count }, (_, i) => [i * s.chunk, Math.min(n, (i + 1) * s.chunk)] as const);
  };
  switch (input.kind) {
    case "frames": {
      const stop = input.stop ?? (await frameCount(data, input.file, input.dataset));
      if (stop <= input.start) throw new InvalidInputError(`step ${s.id}: no frames between ${input.start} and ${stop}`);
      return chunks(stop - input.start).map(([a, b]) => ({
        kind: "frames",
        file: input.file,
        dataset: input.dataset,
        start: input.start + a,
        stop: input.start + b,
      }));
    }
    case "files":
      for (const f of input.files) dataPath(data, f, false);
      return chunks(input.files.length).map(([a, b]) => ({ kind: "files", files: input.files.slice(a, b) }));
    case "range":
      return chunks(input.stop - input.start).map(([a, b]) => ({ kind: "range", start: input.start + a, stop: input.start + b }));
    case "items":
      return chunks(input.items.length).map(([a, b]) => ({ kind: "items", items: input.items.slice(a, b) }));
    case "results":
      capped(1);
      return [{ kind: "results", step: input.step }];
  }
}
