import assert from "node:assert/strict";
import { test } from "node:test";
import type { Metadata } from "h5wasm/node";
import { groveType } from "../../server/h5grove/types.ts";

/** h5wasm's type metadata, with the fields that do not matter for types filled in. */
function meta(fields: Partial<Metadata> & Pick<Metadata, "type" | "size">): Metadata {
  return { chunks: null, littleEndian: true, maxshape: null, shape: [], signed: false, total_size: 1, vlen: false, ...fields };
}

test("numbers: H5T class, size, byte order (0 little, 1 big) and sign (1 two's complement)", () => {
  assert.deepEqual(groveType(meta({ type: 0, size: 4, signed: false })), { class: 0, size: 4, order: 0, sign: 0, dtype: "<u4" });
  assert.deepEqual(groveType(meta({ type: 0, size: 1, signed: true })), { class: 0, size: 1, order: 0, sign: 1, dtype: "|i1" });
  assert.deepEqual(groveType(meta({ type: 0, size: 8, signed: true, littleEndian: false })), { class: 0, size: 8, order: 1, sign: 1, dtype: ">i8" });
  assert.deepEqual(groveType(meta({ type: 1, size: 8, littleEndian: false })), { class: 1, size: 8, order: 1, dtype: ">f8" });
});

test("strings: character set and padding as H5Web reads them (strPad); variable-length ones with a 64-bit pointer's size", () => {
  assert.deepEqual(groveType(meta({ type: 3, size: 12, cset: 0, strpad: 1 })), { class: 3, size: 12, cset: 0, strPad: 1, vlen: false, dtype: "|S12" });
  assert.deepEqual(groveType(meta({ type: 3, size: 4, cset: 1, strpad: 0, vlen: true })), { class: 3, size: 8, cset: 1, strPad: 0, vlen: true, dtype: "|O" });
});

test("compound, enum (h5py's bool) and array types nest their members' types", () => {
  const compound = groveType(
    meta({
      type: 6,
      size: 12,
      compound_type: {
        nmembers: 2,
        members: [
          { ...meta({ type: 1, size: 8 }), name: "real", offset: 0 },
          { ...meta({ type: 0, size: 4, signed: true }), name: "n", offset: 8 },
        ],
      },
    }),
  );
  assert.deepEqual(compound, {
    class: 6,
    size: 12,
    dtype: "|V12",
    members: { real: { class: 1, size: 8, order: 0, dtype: "<f8" }, n: { class: 0, size: 4, order: 0, sign: 1, dtype: "<i4" } },
  });
  const bool = groveType(meta({ type: 8, size: 1, signed: true, enum_type: { type: 0, nmembers: 2, members: { FALSE: 0, TRUE: 1 } } }));
  assert.deepEqual(bool, { class: 8, size: 1, dtype: "|i1", members: { FALSE: 0, TRUE: 1 }, base: { class: 0, size: 1, order: 0, sign: 1, dtype: "|i1" } });
  const array = groveType(meta({ type: 10, size: 24, array_type: meta({ type: 1, size: 8, shape: [3] }) }));
  assert.deepEqual(array, { class: 10, size: 24, dtype: "|V24", dims: [3], base: { class: 1, size: 8, order: 0, dtype: "<f8" } });
  assert.deepEqual(groveType(meta({ type: 7, size: 8 })), { class: 7, size: 8, dtype: "|V8" });
});
