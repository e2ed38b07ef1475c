import { mkdir } from "node:fs/promises";
import path from "node:path";
import { h5wasm } from "../../analysis/hdf5/module.ts";

/** What a reduction needs to know of the detector; the beam centre is in pixels from the centre of pixel 0. */
export interface DemoDetector {
  readonly distance: number;
  readonly pixelSize: number;
  readonly beamCentre: readonly [x: number, y: number];
  readonly wavelength: number;
}

/**
 * A small NeXus file shaped like a detector scan: /entry/data/data holds the frames, one
 * gzip-compressed chunk per frame, with the geometry under /entry/instrument/detector and, for a
 * grid scan, the sample positions of each frame under /entry/sample.
 */
export async function writeNexusScan(
  file: string,
  frames: Uint16Array | Uint32Array,
  shape: readonly [frames: number, rows: number, cols: number],
  detector: DemoDetector,
  sample?: { readonly x: Float64Array; readonly y: Float64Array; readonly units: string },
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await h5wasm.ready;
  const h5 = new h5wasm.File(file, "w");
  try {
    h5.create_attribute("default", "entry");
    const entry = h5.create_group("entry");
    entry.create_attribute("NX_class", "NXentry");
    entry.create_attribute("default", "data");
    const data = entry.create_group("data");
    data.create_attribute("NX_class", "NXdata");
    data.create_attribute("signal", "data");
    // gzip level 1: the demo is written at first start, and level 4 took 1.7× as long for 15 % fewer bytes (80 uint32 frames of 256²).
    const dtype = frames instanceof Uint16Array ? "<H" : "<I";
    const ds = data.create_dataset({
      name: "data",
      data: frames,
      shape: [...shape],
      dtype,
      chunks: [1, shape[1], shape[2]],
      compression: "gzip",
      compression_opts: 1,
    });
    ds.create_attribute("units", "counts");
    const group = entry.create_group("instrument").create_group("detector");
    group.create_attribute("NX_class", "NXdetector");
    for (const [name, value, units] of [
      ["distance", detector.distance, "m"],
      ["x_pixel_size", detector.pixelSize, "m"],
      ["y_pixel_size", detector.pixelSize, "m"],
      ["beam_center_x", detector.beamCentre[0], "pixel"],
      ["beam_center_y", detector.beamCentre[1], "pixel"],
      ["wavelength", detector.wavelength, "m"],
    ] as const) {
      group.create_dataset({ name, data: new Float64Array([value]), shape: [] }).create_attribute("units", units);
    }
    if (sample) {
      const positions = entry.create_group("sample");
      positions.create_attribute("NX_class", "NXsample");
      for (const [name, values] of [
        ["x", sample.x],
        ["y", sample.y],
      ] as const) {
        positions.create_dataset({ name, data: values, shape: [values.length] }).create_attribute("units", sample.units);
      }
    }
  } finally {
    h5.close();
  }
}
