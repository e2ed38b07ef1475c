import { existsSync } from "node:fs";
import path from "node:path";
import type { ContentsManager, KernelIdentity } from "../contents/manager.ts";
import { DEMO_SCAN, writeDemoScan } from "./demo-scan.ts";
import { DEMO_TOMO, writeDemoTomo } from "./demo-tomo.ts";
import { INTEGRATION_NOTEBOOK, integrationNotebook } from "./integration-notebook.ts";
import { TOMOGRAPHY_NOTEBOOK, tomographyNotebook } from "./tomography-notebook.ts";
import { welcomeNotebook } from "./welcome-notebook.ts";
import { WORKFLOW_NOTEBOOK, workflowNotebook } from "./workflow-notebook.ts";

export const WELCOME_NOTEBOOK = "Welcome.ipynb";

/** Gives a new installation something real to open: the demo scans and notebooks reading them. */
export async function seedDemo(contents: ContentsManager, dataRoot: string, kernel: KernelIdentity): Promise<void> {
  if (!existsSync(path.join(dataRoot, DEMO_SCAN))) await writeDemoScan(dataRoot);
  if (!existsSync(path.join(dataRoot, DEMO_TOMO))) await writeDemoTomo(dataRoot);
  if (!(await contents.isEmpty())) return;
  await contents.save(WELCOME_NOTEBOOK, { type: "notebook", content: welcomeNotebook(kernel) });
  await contents.save(INTEGRATION_NOTEBOOK, { type: "notebook", content: integrationNotebook(kernel) });
  await contents.save(TOMOGRAPHY_NOTEBOOK, { type: "notebook", content: tomographyNotebook(kernel) });
  await contents.save(WORKFLOW_NOTEBOOK, { type: "notebook", content: workflowNotebook(kernel) });
}
