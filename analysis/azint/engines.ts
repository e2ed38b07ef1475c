import type { PixelArray } from "./errors.ts";
import { type Axis, pixelBins } from "./bins.ts";
import type { PixelCorrections } from "./corrections.ts";

/** Per-bin sums of one frame, the quantities pyFAI's engines return beside the intensity. */
export interface BinSums {
  /** Σ (raw − dark) */
  readonly signal: Float64Array;
  /** Σ max(raw, 1): pyFAI 0.21's Cython "poisson" variance (the dark is not added). */
  readonly variance?: Float64Array;
  /** Σ normalizationFactor·flat·polarization·solidAngle */
  readonly normalization: Float64Array;
  /** number of pixels */
  readonly count: Float64Array;
}

/** What a binning needs: pixels that may contribute, their positions and the axes (2D when azimuthal is given). */
export interface BinningPlan {
  readonly corrections: PixelCorrections;
  readonly include: Uint8Array;
  readonly radial: Float64Array;
  readonly radialAxis: Axis;
  readonly chi?: Float64Array;
  readonly azimuthAxis?: Axis;
  readonly poisson: boolean;
}

export type Engine = (frame: PixelArray) => BinSums;

function binCount(plan: BinningPlan): number {
  return plan.radialAxis.bins * (plan.azimuthAxis?.bins ?? 1);
}

/**
 * Pixel-to-bin contributions in pixel order: pixel[e] adds coef[e] (1 when absent, i.e. no pixel
 * splitting) of its signal, normalization and count, and coef[e]² of its variance, to bin[e].
 */
export interface Contributions {
  readonly bin: Int32Array;
  readonly pixel: Int32Array;
  readonly coef?: Float32Array;
}

/** One whole-pixel contribution per binned pixel (bin −1 = none). */
export function wholePixels(bins: Int32Array): Contributions {
  let n = 0;
  for (let i = 0; i < bins.length; i++) if (bins[i]! >= 0) n++;
  const bin = new Int32Array(n);
  const pixel = new Int32Array(n);
  for (let i = 0, e = 0; i < bins.length; i++) {
    if (bins[i]! < 0) continue;
    bin[e] = bins[i]!;
    pixel[e++] = i;
  }
  return { bin, pixel };
}

/**
 * What does not change between frames, summed per bin once: normalization, dark and pixel count of
 * the contributing pixels (weighted by their coefficients). Each frame then only sums raw values; `frameSums` starts from these and
 * `drop` takes out a pixel whose raw value is NaN in that frame (pyFAI 0.21 skips NaN, while
 * ±Infinity reaches the sums as there).
 */
class StaticSums {
  readonly normalization: Float64Array;
  readonly dark: Float64Array;
  readonly count: Float64Array;

  constructor(
    readonly plan: BinningPlan,
    { bin, pixel, coef }: Contributions,
  ) {
    const nb = binCount(plan);
    const { norm, dark } = plan.corrections;
    this.normalization = new Float64Array(nb);
    this.dark = new Float64Array(nb);
    this.count = new Float64Array(nb);
    for (let e = 0; e < bin.length; e++) {
      const b = bin[e]!;
      const i = pixel[e]!;
      const c = coef ? coef[e]! : 1;
      this.normalization[b]! += c * norm[i]!;
      if (dark) this.dark[b]! += c * dark[i]!;
      this.count[b]! += c;
    }
  }

  frameSums(): { signal: Float64Array; normalization: Float64Array; count: Float64Array; variance?: Float64Array } {
    const signal = new Float64Array(this.count.length);
    return {
      signal,
      normalization: this.normalization.slice(),
      count: this.count.slice(),
      ...(this.plan.poisson ? { variance: new Float64Array(signal.length) } : {}),
    };
  }

  drop(sums: { normalization: Float64Array; count: Float64Array }, darkSum: Float64Array, i: number, b: number, c = 1): void {
    const { norm, dark } = this.plan.corrections;
    sums.normalization[b]! -= c * norm[i]!;
    sums.count[b]! -= c;
    if (dark) darkSum[b]! -= c * dark[i]!;
  }
}

/**
 * pyFAI's "no splitting, histogram" method: no sorted lookup is kept; every frame walks all pixels
 * in order and adds each to its bin (per-bin normalization and counts are frame-independent, so
 * they are summed once). Each pixel's bin is found once, from its position, and kept (4 bytes a
 * pixel, −1 for none): the same bins and sums as binning again per frame, with less to read.
 */
export function histogramEngine(plan: BinningPlan): Engine {
  const { include, radial, radialAxis, chi, azimuthAxis } = plan;
  const bins = pixelBins(include, radial, radialAxis, chi, azimuthAxis);
  const fixed = new StaticSums(plan, wholePixels(bins));
  return (frame) => {
    const sums = fixed.frameSums();
    const { signal, variance } = sums;
    const darkSum = fixed.dark.slice();
    const n = frame.length;
    // Integer frames hold no NaN: their loop has no test for it.
    if (!variance && !isFloat(frame)) {
      for (let i = 0; i < n; i++) {
        const b = bins[i]!;
        if (b >= 0) signal[b]! += frame[i]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const b = bins[i]!;
        if (b < 0) continue;
        const v = frame[i]!;
        if (v !== v) {
          fixed.drop(sums, darkSum, i, b);
          continue;
        }
        signal[b]! += v;
        if (variance) variance[b]! += v > 1 ? v : 1;
      }
    }
    for (let b = 0; b < signal.length; b++) signal[b]! -= darkSum[b]!;
    return sums;
  };
}

function isFloat(frame: PixelArray): boolean {
  return frame instanceof Float32Array || frame instanceof Float64Array;
}

/**
 * The CSR lookup, column-blocked for cache: the image is cut into blocks of BLOCK_PIXELS
 * consecutive pixels, and each stored row lists the contributions to one bin from one block, so
 * that a frame's gathers stay inside a block that fits in the L2 cache. Row r adds into bin
 * rowBin[r]; `data` holds the coefficients when pixels are split. Summing the rows of a bin gives
 * pyFAI's CSR row. Its arrays live in SharedArrayBuffers, so worker threads read them in place
 * (pool.ts).
 */
export interface CsrMatrix {
  readonly rowBin: Int32Array;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data?: Float32Array;
}

/**
 * 16 Ki pixels: 64 KB of a uint32 frame. Measured on a 2162×2068 frame with 1000 bins: 4–16 Ki
 * pixel blocks gather 3× faster than 64 Ki or unblocked rows.
 */
const BLOCK_PIXELS = 1 << 14;

/** Builds the blocked CSR lookup from contributions (in pixel order) by a counting sort on (block, bin). */
export function buildCsr({ bin, pixel, coef }: Contributions, nb: number): CsrMatrix {
  const counts = new Int32Array(nb);
  const offset = new Int32Array(nb);
  const rowBin: number[] = [];
  const indptr: number[] = [0];
  const indices = sharedArray(Int32Array, bin.length);
  const data = coef ? sharedArray(Float32Array, bin.length) : undefined;
  let filled = 0;
  for (let start = 0; start < bin.length;) {
    const blockEnd = (Math.floor(pixel[start]! / BLOCK_PIXELS) + 1) * BLOCK_PIXELS;
    let end = start;
    while (end < bin.length && pixel[end]! < blockEnd) end++;
    counts.fill(0);
    for (let e = start; e < end; e++) counts[bin[e]!]! += 1;
    for (let b = 0; b < nb; b++) {
      if (counts[b] === 0) continue;
      offset[b] = filled;
      filled += counts[b]!;
      rowBin.push(b);
      indptr.push(filled);
    }
    for (let e = start; e < end; e++) {
      const at = offset[bin[e]!]!++;
      indices[at] = pixel[e]!;
      if (data) data[at] = coef![e]!;
    }
    start = end;
  }
  const sharedIndptr = sharedArray(Int32Array, indptr.length);
  sharedIndptr.set(indptr);
  return { rowBin: Int32Array.from(rowBin), indptr: sharedIndptr, indices, ...(data ? { data } : {}) };
}

/**
 * The sums of CSR rows [from, to) of a frame: rowSum[r] = Σ coef·raw and, with rowVar,
 * rowVar[r] = Σ coef²·max(raw, 1), each row summed from 0 in storage order. One loop per case, the
 * common one (whole pixels, no variance) a bare gather. Worker threads run this function's source
 * text (pool.ts), so it refers to nothing outside itself and defines no function inside (a
 * transpiler may wrap those in helpers of its own).
 */
export function sumCsrRows(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array | undefined,
  frame: PixelArray,
  from: number,
  to: number,
  rowSum: Float64Array,
  rowVar: Float64Array | undefined,
): void {
  let k = indptr[from]!;
  for (let row = from; row < to; row++) {
    const end = indptr[row + 1]!;
    let s = 0;
    let v2 = 0;
    if (data) {
      for (; k < end; k++) {
        const c = data[k]!;
        const v = frame[indices[k]!]!;
        s += c * v;
        v2 += c * c * (v > 1 ? v : 1);
      }
    } else if (rowVar) {
      for (; k < end; k++) {
        const v = frame[indices[k]!]!;
        s += v;
        v2 += v > 1 ? v : 1;
      }
    } else for (; k < end; k++) s += frame[indices[k]!]!;
    rowSum[row] = s;
    if (rowVar) rowVar[row] = v2;
  }
}

/** Per-row sums of one frame, as `sumCsrRows` writes them (rowVar with the Poisson error model). */
export interface RowSums {
  readonly rowSum: Float64Array;
  readonly rowVar?: Float64Array;
}

/**
 * pyFAI's CSR method, without pixel splitting or with "bbox" splitting (coefficients): the lookup
 * is built once, and since dark, flat, polarization and solid angle do not change between frames
 * their per-bin sums are precomputed too, so a frame costs one gather of its raw values
 * (`sumCsrRows`, on one thread or split across a pool's) and adding its row sums into their bins
 * (`binRows`, in row order, so the bins come out the same however the rows were shared out).
 */
export class CsrEngine {
  readonly matrix: CsrMatrix;
  readonly #fixed: StaticSums;
  #rows: RowSums | undefined;

  constructor(plan: BinningPlan, contributions: Contributions) {
    this.#fixed = new StaticSums(plan, contributions);
    this.matrix = buildCsr(contributions, binCount(plan));
  }

  get rows(): number {
    return this.matrix.rowBin.length;
  }

  get poisson(): boolean {
    return this.#fixed.plan.poisson;
  }

  /** One frame on the calling thread, its row sums in arrays kept for the next (binRows keeps none). */
  readonly integrate: Engine = (frame) => {
    const { indptr, indices, data } = this.matrix;
    this.#rows ??= { rowSum: new Float64Array(this.rows), ...(this.poisson ? { rowVar: new Float64Array(this.rows) } : {}) };
    sumCsrRows(indptr, indices, data, frame, 0, this.rows, this.#rows.rowSum, this.#rows.rowVar);
    const bins = this.binRows(frame, this.#rows);
    bins.add(0, this.rows);
    return bins.finish();
  };

  /**
   * A frame's bins, summed from its rows' sums in row order: `add` takes consecutive ranges of
   * rows (the whole frame at once, or each part as soon as it is gathered), `finish` the result. A
   * row whose sum came out NaN (a NaN raw value) is summed again pixel by pixel, leaving those
   * pixels out for this frame.
   */
  binRows(frame: PixelArray, { rowSum, rowVar }: RowSums): FrameBins {
    const fixed = this.#fixed;
    const { rowBin, indptr, indices, data } = this.matrix;
    const sums = fixed.frameSums();
    const { signal, variance } = sums;
    const darkSum = fixed.dark.slice();
    return {
      add: (from, to) => {
        for (let row = from; row < to; row++) {
          const b = rowBin[row]!;
          let s = rowSum[row]!;
          let v2 = rowVar ? rowVar[row]! : 0;
          if (s !== s) {
            s = 0;
            v2 = 0;
            for (let e = indptr[row]!; e < indptr[row + 1]!; e++) {
              const v = frame[indices[e]!]!;
              const c = data ? data[e]! : 1;
              if (v !== v) {
                fixed.drop(sums, darkSum, indices[e]!, b, c);
                continue;
              }
              s += c * v;
              v2 += c * c * (v > 1 ? v : 1);
            }
          }
          signal[b]! += s;
          if (variance) variance[b]! += v2;
        }
      },
      finish: () => {
        for (let b = 0; b < signal.length; b++) signal[b]! -= darkSum[b]!;
        return sums;
      },
    };
  }
}

/** See CsrEngine.binRows. */
export interface FrameBins {
  add(from: number, to: number): void;
  finish(): BinSums;
}

/** A typed array over a new SharedArrayBuffer: worker threads see its contents without a copy. */
export function sharedArray<A extends PixelArray>(Type: SharedArrayConstructor<A>, length: number): A {
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}

export interface SharedArrayConstructor<A extends PixelArray> {
  new (buffer: SharedArrayBuffer): A;
  readonly BYTES_PER_ELEMENT: number;
}
