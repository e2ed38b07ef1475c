/** Any JSON value; MIME bundle values, comm data and result values are arbitrary JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (not an array, not null): metadata, MIME bundles, message contents. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
