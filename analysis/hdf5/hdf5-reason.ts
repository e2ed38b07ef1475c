/** Turns h5wasm's HDF5-DIAG error stack into the one line that says what went wrong. */
import { coerceError } from "../../runtime/errors.ts";

/**
 * The innermost HDF5 frame's description ("truncated file: eof = 20000, … stored_eof = 32806",
 * "file signature not found"), skipping the plugin loader's search-path noise.
 */
export function hdf5Reason(e: unknown): string {
  const message = coerceError(e).message;
  const frames = message
    .split("\n")
    .filter((line) => /^\s*#\d+:/.test(line))
    .map((line) => line.replace(/^.* in [\w]+\(\): /, "").trim())
    .filter((line, i, all) => i === 0 || !/^can't open directory|^can't find plugin/.test(line) || all.length === 1);
  return frames.at(-1) ?? message.split("\n")[0] ?? "unknown HDF5 error";
}
