/**
 * Frequency responses of the FBP filters, built the way scikit-image 0.19's iradon builds them
 * (the ramp from the spatial-domain kernel of Kak & Slaney, ch. 3, eq. 61, which avoids the DC
 * error of a sampled |f|), so reconstructions compare with skimage.transform.iradon digit for digit.
 */
import FFT from "fft.js";
import { ParameterError } from "../errors.ts";

export const FBP_FILTERS = ["ramp", "shepp-logan", "cosine", "hamming", "hann", "none"] as const;
export type FbpFilter = (typeof FBP_FILTERS)[number];

/** The real frequency response, length `size` (a power of two), in FFT order. */
export function fourierFilter(size: number, name: FbpFilter): Float64Array {
  if (!FBP_FILTERS.includes(name)) throw new ParameterError(`unknown filter "${String(name)}"; use one of ${FBP_FILTERS.join(", ")}`, { parameter: "filter" });
  const response = new Float64Array(size);
  if (name === "none") return response.fill(1);
  // Spatial ramp kernel: f[0] = 1/4, f[k] = -1/(pi k)^2 for odd k (circularly), 0 for even k.
  const kernel = new Float64Array(size);
  kernel[0] = 0.25;
  for (let i = 1; i < size; i += 2) {
    const k = i <= size / 2 ? i : size - i;
    kernel[i] = -1 / (Math.PI * k) ** 2;
  }
  const fft = new FFT(size);
  const spectrum = new Float64Array(2 * size);
  fft.realTransform(spectrum, kernel);
  fft.completeSpectrum(spectrum);
  for (let i = 0; i < size; i++) response[i] = 2 * spectrum[2 * i]!;
  for (let i = 0; i < size; i++) response[i]! *= window(name, i, size);
  return response;
}

/** The window each named filter multiplies the ramp by, at FFT index i. */
function window(name: FbpFilter, i: number, size: number): number {
  // Shifted index: the window is defined on centred frequencies and fftshifted into FFT order.
  const shifted = (i + size / 2) % size;
  switch (name) {
    case "shepp-logan": {
      if (i === 0) return 1;
      const omega = (Math.PI * (i < size / 2 ? i : i - size)) / size;
      return Math.sin(omega) / omega;
    }
    case "cosine":
      return Math.sin((Math.PI * shifted) / size);
    case "hamming":
      return 0.54 - 0.46 * Math.cos((2 * Math.PI * shifted) / (size - 1));
    case "hann":
      return 0.5 - 0.5 * Math.cos((2 * Math.PI * shifted) / (size - 1));
    default:
      return 1;
  }
}
