/** 256-entry RGB lookup tables from d3-scale-chromatic's colormaps (matplotlib's viridis family). */
import { rgb } from "d3-color";
import {
  interpolateCividis,
  interpolateGreys,
  interpolateInferno,
  interpolateMagma,
  interpolatePlasma,
  interpolateTurbo,
  interpolateViridis,
} from "d3-scale-chromatic";
import { ParameterError } from "../errors.ts";

const INTERPOLATORS = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  plasma: interpolatePlasma,
  cividis: interpolateCividis,
  turbo: interpolateTurbo,
  // Greys runs white → black; images read better black → white.
  gray: (t: number) => interpolateGreys(1 - t),
} as const;

export type Colormap = keyof typeof INTERPOLATORS;
export const COLORMAPS = Object.keys(INTERPOLATORS) as Colormap[];

const cache = new Map<Colormap, Uint8Array>();

/** The colormap as 256 × [r, g, b] bytes. */
export function colormapLut(name: Colormap): Uint8Array {
  const interpolate = INTERPOLATORS[name];
  if (!interpolate) throw new ParameterError(`unknown colormap "${String(name)}"; use one of ${COLORMAPS.join(", ")}`, { parameter: "colormap" });
  let lut = cache.get(name);
  if (!lut) {
    lut = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) {
      const c = rgb(interpolate(i / 255));
      lut.set([Math.round(c.r), Math.round(c.g), Math.round(c.b)], i * 3);
    }
    cache.set(name, lut);
  }
  return lut;
}
