import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";

/** Proposals' data folders under a test server's data root, each with a copy of the demo scan as `scan.h5`. */
export async function seedProposalFolders(stateDir: string, folders: string[]): Promise<void> {
  const dataRoot = path.join(stateDir, "data");
  for (const folder of folders) {
    await mkdir(path.join(dataRoot, folder), { recursive: true });
    await copyFile(path.join(dataRoot, "demo", "scan_0001.h5"), path.join(dataRoot, folder, "scan.h5"));
  }
}
