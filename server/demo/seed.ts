import { existsSync } from "node:fs";
import path from "node:path";
import type { Notebook } from "../../contracts/notebook.ts";
import type { ContentsManager, KernelIdentity } from "../contents/manager.ts";
import { DEMO_GRID, writeDemoGrid } from "./demo-grid.ts";
import { DEMO_SCAN, writeDemoScan } from "./demo-scan.ts";
import { DEMO_TOMO, writeDemoTomo } from "./demo-tomo.ts";
import { INTEGRATION_NOTEBOOK, integrationNotebook } from "./integration-notebook.ts";
import { TOMOGRAPHY_NOTEBOOK, tomographyNotebook } from "./tomography-notebook.ts";
import { welcomeNotebook } from "./welcome-notebook.ts";
import { WORKFLOW_NOTEBOOK, workflowNotebook } from "./workflow-notebook.ts";

export const WELCOME_NOTEBOOK = "Welcome.ipynb";
/** The author of the demo notebooks' first revisions. */
const DEMO_AUTHOR = "lightbook";

/** Every notebook a new installation gets, by path (the test of their types walks this list). */
export const DEMO_NOTEBOOKS: readonly { path: string; make: (kernel: KernelIdentity) => Notebook }[] = [
  { path: WELCOME_NOTEBOOK, make: welcomeNotebook },
  { path: INTEGRATION_NOTEBOOK, make: integrationNotebook },
  { path: TOMOGRAPHY_NOTEBOOK, make: tomographyNotebook },
  { path: WORKFLOW_NOTEBOOK, make: workflowNotebook },
];

/** Gives a new installation something real to open: the demo scans and notebooks reading them. */
export async function seedDemo(contents: ContentsManager, dataRoot: string, kernel: KernelIdentity): Promise<void> {
  if (!existsSync(path.join(dataRoot, DEMO_SCAN))) await writeDemoScan(dataRoot);
  if (!existsSync(path.join(dataRoot, DEMO_GRID))) await writeDemoGrid(dataRoot);
  if (!existsSync(path.join(dataRoot, DEMO_TOMO))) await writeDemoTomo(dataRoot);
  if (!(await contents.isEmpty())) return;
  for (const notebook of DEMO_NOTEBOOKS) await contents.save(notebook.path, { type: "notebook", content: notebook.make(kernel) }, { author: DEMO_AUTHOR });
}
