import { ParameterError, ShapeMismatchError } from "../errors.ts";

/** Pixel data as it comes from a detector file or a computation: one frame, row-major. */
export type PixelArray = Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;

/** A ParameterError whose message starts with the parameter's name, which it also carries in its context. */
export function parameterError(parameter: string, message: string): ParameterError {
  return new ParameterError(`${parameter} ${message}`, { parameter });
}

/** Throws unless `value` is a finite number satisfying `ok`, naming the parameter and the requirement. */
export function requireNumber(parameter: string, value: unknown, requirement: string, ok: (v: number) => boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw parameterError(parameter, `must be ${requirement} (got ${String(value)})`);
  }
  return value;
}

/** Throws unless an optional per-pixel array has exactly `pixels` values. */
export function requirePixels(parameter: string, array: ArrayLike<number> | undefined, shape: readonly [number, number]): void {
  if (array !== undefined && array.length !== shape[0] * shape[1]) {
    throw new ShapeMismatchError(`${parameter} has ${array.length} values but the detector is ${shape[0]}×${shape[1]} (${shape[0] * shape[1]} pixels)`, {
      parameter,
    });
  }
}
