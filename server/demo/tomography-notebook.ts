import type { Notebook } from "../../contracts/notebook.ts";
import { code, markdown } from "./cells.ts";
import { DEMO_TOMO } from "./demo-tomo.ts";
import { notebookOf } from "./welcome-notebook.ts";

export const TOMOGRAPHY_NOTEBOOK = "Tomography.ipynb";

/**
 * Worked example of the analysis library's HDF5, tomography and plotting parts on the demo NXtomo
 * scan: browse the file, normalize by darks and flats, find the rotation axis, reconstruct with
 * several filters, plot a profile, and write the slice back as an NXprocess.
 */
export function tomographyNotebook(kernel: { name: string; display_name: string; language: string }): Notebook {
  return notebookOf(kernel, [
    markdown("intro", [
      "# Tomography: from projections to a slice",
      "",
      `\`${DEMO_TOMO}\` is a small NXtomo scan of a Shepp–Logan phantom: 4 darks, 4 flats and 180`,
      "projections over 180°, whose rotation axis is *not* at the detector centre. The cells below",
      "normalize it, find the axis, reconstruct a slice by filtered back-projection (the conventions of",
      "`skimage.transform.iradon`, against which the library is tested) and write the result back.",
    ]),
    code("open", [
      'import { fbp, openH5, patternSpec, readTomoScan, renderPng, rotationCenter, scanSinogram, writeNxProcess } from "lightbook/analysis";',
      "",
      "// Paths are relative to the data root; the file is read lazily, frame by frame.",
      `const file = await openH5("${DEMO_TOMO}");`,
      'file.tree().filter((n) => n.kind === "dataset").map((n) => n.kind === "dataset" && `${n.path} ${n.dtype.numpy} [${n.shape}] ${n.filters.map((f) => f.name)}`)',
    ]),
    code("sinogram", [
      "// Darks and flats are averaged; each projection becomes −log((I − dark) / (flat − dark)).",
      "const scan = readTomoScan(file);",
      "const sinogram = scanSinogram(scan, 0);",
      'display(display.png(renderPng(sinogram, { scale: "linear", colormap: "gray" })));',
      "sinogram.shape // [detector pixels, angles]",
    ]),
    code("center", [
      "// The centre of mass of each projection traces a sinusoid around the rotation axis.",
      "const center = rotationCenter(sinogram, scan.angles);",
      "console.log(`rotation axis at pixel ${center.toFixed(2)} (detector centre ${sinogram.shape[0]! >> 1})`);",
    ]),
    code("reconstruct", [
      "// The same sinogram through two filters: ramp keeps the most detail, hann the least noise.",
      'const slices = Object.fromEntries((["ramp", "hann"] as const).map((filter) => [filter, fbp(sinogram, { angles: scan.angles, center, filter })]));',
      'for (const slice of Object.values(slices)) display(display.png(renderPng(slice, { scale: "linear", colormap: "viridis", min: 0 })));',
      'const wrong = fbp(sinogram, { angles: scan.angles, filter: "ramp" }); // axis assumed at the centre: arcs appear',
      'display(display.png(renderPng(wrong, { scale: "linear", colormap: "viridis", min: 0 })));',
    ]),
    code("profile", [
      "// A horizontal line through the middle of each slice.",
      "const n = slices.ramp!.shape[0]!;",
      "const x = Array.from({ length: n }, (_, i) => i);",
      "const row = (s: { data: Float64Array }) => Array.from(s.data.subarray((n >> 1) * n, (n >> 1) * n + n));",
      'display(display.vegaLite(patternSpec(Object.entries(slices).map(([label, s]) => ({ x, y: row(s), label })), { xTitle: "pixel", yTitle: "μ per pixel", title: "Profile through the centre" })));',
    ]),
    code("write", [
      "// Results go back to HDF5 with the parameters that made them, readable by h5py, silx or H5Web.",
      `const out = await openH5("${DEMO_TOMO.replace(".h5", "_recon.h5")}", { mode: "w" });`,
      'writeNxProcess(out, { name: "reconstruction", program: "lightbook fbp", version: "0.1.0", parameters: { filter: "ramp", center, row: 0 }, results: { slice: { data: slices.ramp!.data, shape: slices.ramp!.shape } } });',
      "out.close();",
      "file.close();",
    ]),
  ]);
}
