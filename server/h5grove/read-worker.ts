/**
 * The h5grove reads, run in a worker thread (read-pool.ts): h5wasm reads and decodes synchronously,
 * so on the server's own thread one large request stalled every other request, /api included.
 */
import { move, transferableSymbol, valueSymbol, workerData } from "piscina";
import { DataRootError, NotFoundError } from "../../analysis/errors.ts";
import type { H5Dataset } from "../../analysis/hdf5/dataset.ts";
import { isNumeric } from "../../analysis/hdf5/dtype.ts";
import { H5File, openH5 } from "../../analysis/hdf5/file.ts";
import type { NumericArray } from "../../analysis/hdf5/types.ts";
import { DomainError, InvalidInputError, NotFoundDomainError } from "../../runtime/errors.ts";
import { asHttpError } from "../http/errors.ts";
import { entityMeta } from "./entities.ts";
import { parseSelection, resolveSelection, SelectionError } from "./selection.ts";
import type { GroveReply, GroveTask, GroveWorkerData } from "./tasks.ts";
import { H5T } from "./types.ts";
import { readCost, readEnumSelection, readSelection, toBytes, toJson, toNpy } from "./values.ts";

const { root, maxReadBytes } = workerData as GroveWorkerData;

/** h5grove's wording for what is missing, outside the root or a bad selection; every error answers by its kind (server/http/errors.ts). */
function groveError(e: unknown, file: string, objectPath?: string): unknown {
  if (e instanceof NotFoundError) {
    return new NotFoundDomainError(objectPath === undefined ? `File not found: ${file}` : `${objectPath} is not a valid path in ${file}: ${e.message}`);
  }
  if (e instanceof DataRootError) return new DomainError("forbidden", `${file} leads outside the data root: ${e.message}`);
  if (e instanceof SelectionError) return new InvalidInputError(`Invalid selection: ${e.message}`);
  return e;
}

/** Runs `read` on the open file (and the files its links lead to), closing them after. */
async function withFile<T>(file: string, objectPath: string, read: (h5: H5File) => T): Promise<T> {
  let h5: H5File;
  try {
    h5 = await openH5(file, { root });
  } catch (e: unknown) {
    throw groveError(e, file);
  }
  try {
    return read(h5);
  } catch (e: unknown) {
    throw groveError(e, file, objectPath);
  } finally {
    h5.close();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** A 413 unless `bytes` is within what one request may read. */
function checkCost(task: { file: string; path: string; selection?: string }, dataset: H5Dataset, bytes: number): void {
  if (bytes <= maxReadBytes) return;
  const what = `${task.path}${task.selection === undefined ? "" : `[${task.selection}]`} in ${task.file}`;
  const chunks =
    dataset.chunks && `; each chunk (${dataset.chunks.join("x")}, ${mib(dataset.chunks.reduce((a, b) => a * b, dataset.dtype.bytes))}) is decoded whole`;
  throw new DomainError(
    "too_large",
    `Reading ${what} would decode ${mib(bytes)}, more than the ${mib(maxReadBytes)} one request may read (LIGHTBOOK_MAX_READ_BYTES). Select a slice with the selection parameter, e.g. selection=0,0:256,: for part of the first frame${chunks ?? ""}.`,
  );
}

function data(task: Extract<GroveTask, { op: "data" }>): Promise<GroveReply> {
  return withFile(task.file, task.path, (h5): GroveReply => {
    const dataset = h5.dataset(task.path);
    const selection = resolveSelection(task.selection === undefined ? [] : parseSelection(task.selection), dataset.shape);
    let values: NumericArray;
    if (isNumeric(dataset.dtype)) {
      checkCost(task, dataset, readCost(dataset, selection, task.format));
      values = readSelection(dataset, selection);
    } else {
      const located = h5.locate(task.path);
      const object = located.kind === "dataset" ? H5File.rawObject(located) : undefined;
      if (!object || !("slice" in object)) throw new NotFoundError(`${task.path} is not a dataset`);
      // Strings, compounds…: metadata-like datasets, as JSON values of the whole dataset.
      if (object.metadata.type !== H5T.ENUM && task.format === "json" && task.selection === undefined) {
        checkCost(task, dataset, readCost(dataset, resolveSelection([], dataset.shape), "json"));
        return { ok: true, text: JSON.stringify(object.json_value) };
      }
      checkCost(task, dataset, readCost(dataset, selection, task.format));
      values = readEnumSelection(object, dataset.shape, selection);
    }
    if (task.format === "bin") return bytesReply(toBytes(values, task.dtype === "origin" && !dataset.dtype.littleEndian));
    if (task.format === "npy") return bytesReply(toNpy(values, selection.shape), "data.npy");
    return { ok: true, text: toJson(values, selection.shape, task.flatten) };
  });
}

/**
 * Raw bytes, handed over to the server's thread without a copy when they own their buffer (a
 * small Buffer may share Node's pool, which must not move). Piscina moves what a task returns when
 * it is marked so, at the top level of the result: return this reply as it is.
 */
function bytesReply(bytes: Uint8Array, attachment?: string): GroveReply {
  const reply: GroveReply = { ok: true, bytes, ...(attachment && { attachment }) };
  if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) return reply;
  // Piscina's Transferable interface: the value to send and what to transfer with it.
  return move({ [transferableSymbol]: [bytes.buffer], [valueSymbol]: reply }) as unknown as GroveReply;
}

async function run(task: GroveTask): Promise<GroveReply> {
  try {
    switch (task.op) {
      case "meta":
        return { ok: true, json: await withFile(task.file, task.path, (h5) => entityMeta(h5, task.path)) };
      case "attr": {
        const attrs = await withFile(task.file, task.path, (h5) => h5.attrs(task.path));
        return { ok: true, json: task.keys ? Object.fromEntries(task.keys.map((k) => [k, attrs[k]])) : attrs };
      }
      case "paths":
        return { ok: true, json: [task.path, ...(await withFile(task.file, task.path, (h5) => h5.tree(task.path).map((node) => node.path)))] };
      case "data":
        return await data(task);
    }
  } catch (e: unknown) {
    const known = asHttpError(e);
    if (known) return { ok: false, status: known.status, message: known.message, reason: known.reason ?? "" };
    throw e;
  }
}

export default run;
