/**
 * Dectris Eiger files: a master file whose /entry/data/data_NNNNNN are external links to data
 * files of a few frames each, and a pixel mask under detectorSpecific. Frames of all data files
 * read as one stack.
 */
import { NotFoundError, ParameterError } from "../errors.ts";
import type { H5Dataset } from "./dataset.ts";
import type { H5File } from "./file.ts";
import type { DType, FrameSource, NdArray, NumericArray } from "./types.ts";

/** Where Eiger (and NeXus files converted from it) keep the pixel mask, in the order tried. */
const MASK_PATHS = ["/entry/instrument/detector/detectorSpecific/pixel_mask", "/entry/instrument/detector/pixel_mask"];

/** The frames of an Eiger master's data files, in order, as one stack. */
export class EigerFrames implements FrameSource {
  readonly length: number;
  readonly frameShape: [number, number];
  readonly dtype: DType;
  readonly #parts: { dataset: H5Dataset; first: number }[];

  constructor(parts: H5Dataset[]) {
    let first = 0;
    this.#parts = parts.map((dataset) => {
      const part = { dataset, first };
      first += dataset.length;
      return part;
    });
    this.length = first;
    const head = parts[0];
    if (!head) throw new ParameterError("an Eiger stack needs at least one data file");
    this.frameShape = head.frameShape;
    this.dtype = head.dtype;
    for (const p of parts) {
      if (p.frameShape[0] !== this.frameShape[0] || p.frameShape[1] !== this.frameShape[1]) {
        throw new ParameterError(`data file frames are ${p.frameShape.join("×")}, the first file's ${this.frameShape.join("×")}`, {
          file: p.file,
          dataset: p.path,
        });
      }
    }
  }

  frame(index: number, into?: NumericArray): NdArray {
    if (!Number.isInteger(index) || index < 0 || index >= this.length)
      throw new ParameterError(`frame ${index} is outside 0..${this.length - 1}`, { parameter: "index" });
    let part = this.#parts[0]!;
    for (const p of this.#parts) if (p.first <= index) part = p;
    return part.dataset.frame(index - part.first, into);
  }
}

/**
 * The frames of an Eiger master file (`/entry/data/data_000001`, `data_000002`, … in order), or of
 * any group whose members are 3D datasets or links to them.
 */
export function eigerFrames(file: H5File, group = "/entry/data"): EigerFrames {
  const names = file
    .keys(group)
    .filter((n) => /^data_\d+$/.test(n))
    .sort();
  if (names.length === 0) throw new NotFoundError("no data_NNNNNN links in this group: not an Eiger master file?", { file: file.file, dataset: group });
  return new EigerFrames(names.map((n) => file.dataset(`${group}/${n}`)));
}

/**
 * The Eiger pixel mask as 0/1 per pixel (1 = do not use), from the first of the usual places that
 * exists. Eiger mask values are bit flags (gap, dead, cold, hot, noisy…); any set bit masks.
 */
export function eigerPixelMask(file: H5File, maskPath?: string): NdArray<Uint8Array> {
  const where = maskPath ?? MASK_PATHS.find((p) => file.has(p));
  if (where === undefined) throw new NotFoundError(`no pixel mask at ${MASK_PATHS.join(" or ")}`, { file: file.file });
  const { data, shape } = file.dataset(where).readAll();
  if (shape.length !== 2) throw new ParameterError(`a pixel mask is 2D; this one has shape [${shape.join(", ")}]`, { file: file.file, dataset: where });
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = Number(data[i]) !== 0 ? 1 : 0;
  return { data: mask, shape };
}
