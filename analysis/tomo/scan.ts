/**
 * NXtomo scans: one image stack with `image_key` (0 projection, 1 flat, 2 dark) and rotation
 * angles, as tomography beamlines write them. https://manual.nexusformat.org/classes/applications/NXtomo.html
 */
import { NotFoundError, ShapeMismatchError } from "../errors.ts";
import type { H5Dataset } from "../hdf5/dataset.ts";
import type { H5File } from "../hdf5/file.ts";
import type { NdArray } from "../hdf5/types.ts";
import { type FbpFilter } from "./filters.ts";
import { fbp, type Sinogram } from "./fbp.ts";
import { rotationCenter } from "./center.ts";
import { meanFrame, minusLogNormalize, sinogramOfRow } from "./normalize.ts";

export interface TomoScan {
  /** The image stack (darks, flats and projections). */
  images: H5Dataset;
  /** Indices into `images` of the projections, with their angles in degrees. */
  projections: number[];
  angles: Float64Array;
  dark: NdArray<Float64Array>;
  flat: NdArray<Float64Array>;
}

const IMAGE_PATHS = ["/entry/instrument/detector/data", "/entry/data/data"];
const KEY_PATHS = ["/entry/instrument/detector/image_key", "/entry/data/image_key"];
const ANGLE_PATHS = ["/entry/sample/rotation_angle", "/entry/data/rotation_angle"];

function first(file: H5File, paths: string[], what: string): string {
  const found = paths.find((p) => file.has(p));
  if (!found) throw new NotFoundError(`no ${what} at ${paths.join(" or ")}`, { file: file.file });
  return found;
}

/** Reads the layout of an NXtomo scan and averages its darks and flats (projections stay on disk). */
export function readTomoScan(file: H5File): TomoScan {
  const images = file.dataset(first(file, IMAGE_PATHS, "image stack"));
  const keys = Array.from(file.dataset(first(file, KEY_PATHS, "image_key")).readAll().data, Number);
  const allAngles = Array.from(file.dataset(first(file, ANGLE_PATHS, "rotation_angle")).readAll().data, Number);
  if (keys.length !== images.length || allAngles.length !== images.length) {
    throw new ShapeMismatchError(`image_key (${keys.length}) and rotation_angle (${allAngles.length}) must have one entry per image (${images.length})`, {
      file: file.file,
      dataset: images.path,
    });
  }
  const indices = (key: number) => keys.flatMap((k, i) => (k === key ? [i] : []));
  const frames = (key: number, what: string) => {
    const list = indices(key);
    if (list.length === 0) throw new NotFoundError(`the scan has no ${what} (image_key ${key})`, { file: file.file, dataset: images.path });
    return meanFrame(list.map((i) => images.frame(i)));
  };
  const projections = indices(0);
  return { images, projections, angles: Float64Array.from(projections, (i) => allAngles[i]!), dark: frames(2, "dark images"), flat: frames(1, "flat images") };
}

/** The sinogram of detector row `row`: projections normalized by dark and flat, then −log. */
export function scanSinogram(scan: TomoScan, row: number): Sinogram {
  const [, cols] = scan.images.frameShape;
  // One row per projection: read only that row of each frame.
  const roi = { x: 0, y: row, width: cols, height: 1 };
  const dark = { data: scan.dark.data.subarray(row * cols, (row + 1) * cols), shape: [1, cols] };
  const flat = { data: scan.flat.data.subarray(row * cols, (row + 1) * cols), shape: [1, cols] };
  return sinogramOfRow(
    scan.projections.map((i) => minusLogNormalize(scan.images.roi(i, roi), dark, flat)),
    0,
  );
}

export interface ReconstructOptions {
  filter?: FbpFilter;
  /** Rotation axis on the detector in pixels, or "auto" (default) to find it with {@link rotationCenter}. */
  center?: number | "auto";
}

/** Normalizes, finds the rotation centre and reconstructs the slice at detector row `row`. */
export function reconstructSlice(
  scan: TomoScan,
  row: number,
  options: ReconstructOptions = {},
): { slice: NdArray<Float64Array>; center: number; sinogram: Sinogram } {
  const sinogram = scanSinogram(scan, row);
  const center = options.center === undefined || options.center === "auto" ? rotationCenter(sinogram, scan.angles) : options.center;
  const slice = fbp(sinogram, { angles: scan.angles, center, ...(options.filter ? { filter: options.filter } : {}) });
  return { slice, center, sinogram };
}
