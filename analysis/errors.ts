/**
 * Errors the analysis library throws. Each names what the user gave (file, dataset, parameter), so
 * a cell prints a message they can act on, and none of them takes the kernel down: they are ordinary
 * exceptions thrown from the call that failed.
 */
import { DomainError, type ErrorKind } from "../runtime/errors.ts";

/** What an error is about; shown after the message and kept for code that handles it. */
export interface ErrorContext {
  file?: string;
  dataset?: string;
  parameter?: string;
  [key: string]: unknown;
}

export class AnalysisError extends DomainError {
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(new.target.kind, withContext(message, context), options);
    this.context = context;
  }
  /** How the server answers it (runtime/errors.ts); each subclass says what kind of failure it is. */
  static kind: ErrorKind = "unprocessable";
}

function withContext(message: string, context: ErrorContext): string {
  const parts = Object.entries(context)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return parts.length > 0 ? `${message} (${parts.join(", ")})` : message;
}

/** A path that is not inside the data root, or no data root configured. */
export class DataRootError extends AnalysisError {
  static override kind: ErrorKind = "forbidden";
}

/** A file or an object inside a file that does not exist. */
export class NotFoundError extends AnalysisError {
  static override kind: ErrorKind = "not_found";
}

/** A file HDF5 cannot read: not HDF5, truncated, corrupt, or a read that failed inside HDF5. */
export class Hdf5Error extends AnalysisError {}

/** A dataset compressed with a filter this build cannot decode. */
export class MissingFilterError extends AnalysisError {}

/** A parameter out of range or inconsistent with the data (shapes, geometry, selections). */
export class ParameterError extends AnalysisError {
  static override kind: ErrorKind = "invalid";
}

/** A shape that does not match another one (frame vs mask, sinogram vs angles). */
export class ShapeMismatchError extends ParameterError {}
