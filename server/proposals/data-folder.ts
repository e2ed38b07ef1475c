import path from "node:path";
import { resolveDataPath } from "../../analysis/data-root.ts";
import { AnalysisError } from "../../analysis/errors.ts";
import { InvalidInputError } from "../../runtime/errors.ts";

/**
 * A proposal's data folder as stored: relative to the data root, "/"-separated, without `.`
 * segments or a trailing slash, and contained in the root by the same primitive kernels use
 * (analysis/data-root.ts: no `..`, no absolute path, no symlink out). It need not exist yet (a
 * facility often creates it when the beamtime starts), and it cannot be the root itself, which
 * would hand the proposal everyone's data.
 */
export function checkDataFolder(root: string, folder: string): string {
  const normalized = folder
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
  if (normalized === "" && !path.isAbsolute(folder)) throw new InvalidInputError("dataFolder: give a folder under the data root, not the root itself");
  try {
    resolveDataPath(path.isAbsolute(folder) ? folder : normalized, { root, mustExist: false });
  } catch (e: unknown) {
    if (e instanceof AnalysisError) throw new InvalidInputError(`dataFolder: ${e.message}`);
    throw e;
  }
  return normalized;
}
