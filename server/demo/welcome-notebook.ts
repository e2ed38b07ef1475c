import type { Notebook } from "../../contracts/notebook.ts";
import { DEMO_SCAN } from "./demo-scan.ts";

function code(id: string, source: string): Notebook["cells"][number] {
  return { id, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null };
}

/** An nbformat 4.5 notebook of `cells` for the given kernel. */
export function notebookOf(kernel: { name: string; display_name: string; language: string }, cells: Notebook["cells"]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { ...kernel }, language_info: { name: kernel.language } }, cells };
}

/** The notebook a new user opens first: TypeScript cells that read the demo scan. */
export function welcomeNotebook(kernel: { name: string; display_name: string; language: string }): Notebook {
  return notebookOf(kernel, [
    {
      id: "intro",
      cell_type: "markdown",
      metadata: {},
      source: [
        "# Welcome to Lightbook\n",
        "\n",
        "Cells are **TypeScript**. Run one with Shift-Enter; variables stay defined for later cells.\n",
        `The data root holds a small demo scan, \`${DEMO_SCAN}\`: eight frames of powder rings in a NeXus file.`,
      ].join(""),
    },
    code("hello", 'const beamline = "demo";\nconsole.log(`Hello from the ${beamline} beamline`);\n6 * 7'),
    code(
      "open-scan",
      [
        'import h5wasm from "h5wasm/node";',
        "await h5wasm.ready;",
        `const scan = new h5wasm.File(\`\${process.env.LIGHTBOOK_DATA_ROOT}/${DEMO_SCAN}\`, "r");`,
        'const frames = scan.get("entry/data/data") as InstanceType<typeof h5wasm.Dataset>;',
        "frames.shape",
      ].join("\n"),
    ),
    code(
      "totals",
      [
        "// Total counts of each frame, read one frame at a time.",
        "const [n, height, width] = frames.shape as number[];",
        "const totals: number[] = [];",
        "for (let i = 0; i < n; i++) {",
        "  const frame = frames.slice([[i, i + 1], [0, height], [0, width]]) as Uint32Array;",
        "  totals.push(frame.reduce((a, b) => a + b, 0));",
        "}",
        "totals",
      ].join("\n"),
    ),
  ]);
}
