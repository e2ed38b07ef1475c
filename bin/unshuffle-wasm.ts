/**
 * Writes analysis/hdf5/unshuffle-wasm.ts: the WebAssembly (SIMD) bit unshuffle of 32-bit elements
 * that bitshuffle-lz4.ts runs, as bytes compiled here with wabt from the text below. The text is
 * generated because it is the same few steps for 8 planes at a time, 4 times over.
 *
 *   node --import tsx bin/unshuffle-wasm.ts
 *
 * unshuffle32(planes, row, out): `row` (a multiple of 16) bytes per bit plane, 32 planes from
 * `planes` (plane p: bit p of each element, element i at bit i % 8 of byte i / 8), to 8 * row
 * little-endian 32-bit elements at `out`. 128 elements at a time: each byte of the elements from
 * its 8 planes by an 8 × 8 bit transpose (three swap steps on 16 bytes at once) and byte
 * interleaving; a byte whose 8 planes are all zero there is skipped, and elements below 256 (most
 * of a low-count frame) are only widened.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import wabt from "wabt";

const ILO8 = "0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23";
const IHI8 = "8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31";
const ILO16 = "0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23";
const IHI16 = "8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31";
const ILO32 = "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23";
const IHI32 = "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31";

const shuffle = (lanes: string, x: string, y: string) => `(i8x16.shuffle ${lanes} (local.get $${x}) (local.get $${y}))`;
const set = (name: string, value: string) => `(local.set $${name} ${value})`;

/** Rows j and j + s of the 8 × 8 bit matrices in $a0..$a7 swap their off-diagonal s × s blocks. */
function swap(j: number, s: number, mask: string): string[] {
  const [x, y] = [`a${j}`, `a${j + s}`];
  return [
    set("t", `(v128.and (v128.xor (i32x4.shr_u (local.get $${x}) (i32.const ${s})) (local.get $${y})) (v128.const i32x4 ${mask} ${mask} ${mask} ${mask}))`),
    set(y, `(v128.xor (local.get $${y}) (local.get $t))`),
    set(x, `(v128.xor (local.get $${x}) (i32x4.shl (local.get $t) (i32.const ${s})))`),
  ];
}

/** Byte b of 128 elements into $d{b}_0..7 (elements 16k..16k+15 in $d{b}_k), zeros if its planes are; $any{b} says which. */
function byteGroup(b: number): string[] {
  const loads = Array.from({ length: 8 }, (_, j) => set(`a${j}`, `(v128.load (i32.add (local.get $p) (i32.mul (local.get $row) (i32.const ${8 * b + j}))))`));
  const any = `(v128.any_true (v128.or (v128.or (v128.or (local.get $a0) (local.get $a1)) (v128.or (local.get $a2) (local.get $a3))) (v128.or (v128.or (local.get $a4) (local.get $a5)) (v128.or (local.get $a6) (local.get $a7)))))`;
  const transpose = [
    ...[0, 1, 2, 3].flatMap((j) => swap(j, 4, "0x0f0f0f0f")),
    ...[0, 1, 4, 5].flatMap((j) => swap(j, 2, "0x33333333")),
    ...[0, 2, 4, 6].flatMap((j) => swap(j, 1, "0x55555555")),
    ...[0, 2, 4, 6].flatMap((j) => [set(`b${j}`, shuffle(ILO8, `a${j}`, `a${j + 1}`)), set(`b${j + 1}`, shuffle(IHI8, `a${j}`, `a${j + 1}`))]),
    ...[
      [0, 0, 2, ILO16],
      [1, 0, 2, IHI16],
      [2, 1, 3, ILO16],
      [3, 1, 3, IHI16],
      [4, 4, 6, ILO16],
      [5, 4, 6, IHI16],
      [6, 5, 7, ILO16],
      [7, 5, 7, IHI16],
    ].map(([c, x, y, lanes]) => set(`c${c}`, shuffle(lanes as string, `b${x}`, `b${y}`))),
    ...[0, 1, 2, 3].flatMap((k) => [
      set(`d${b}_${2 * k}`, shuffle(ILO32, `c${k}`, `c${k + 4}`)),
      set(`d${b}_${2 * k + 1}`, shuffle(IHI32, `c${k}`, `c${k + 4}`)),
    ]),
  ];
  const zeros = Array.from({ length: 8 }, (_, k) => set(`d${b}_${k}`, "(v128.const i64x2 0 0)"));
  return [...loads, set(`any${b}`, any), `(if (local.get $any${b}) (then ${transpose.join(" ")}) (else ${zeros.join(" ")}))`];
}

const store = (offset: number, value: string) => `(v128.store offset=${offset} (local.get $o) ${value})`;

function widen(): string[] {
  return Array.from({ length: 8 }, (_, k) => {
    const d = `(local.get $d0_${k})`;
    return [
      set("lo", `(i16x8.extend_low_i8x16_u ${d})`),
      set("hi", `(i16x8.extend_high_i8x16_u ${d})`),
      store(64 * k, "(i32x4.extend_low_i16x8_u (local.get $lo))"),
      store(64 * k + 16, "(i32x4.extend_high_i16x8_u (local.get $lo))"),
      store(64 * k + 32, "(i32x4.extend_low_i16x8_u (local.get $hi))"),
      store(64 * k + 48, "(i32x4.extend_high_i16x8_u (local.get $hi))"),
    ].join(" ");
  });
}

function interleave(): string[] {
  return Array.from({ length: 8 }, (_, k) =>
    [
      set("e0", shuffle(ILO8, `d0_${k}`, `d1_${k}`)),
      set("e1", shuffle(IHI8, `d0_${k}`, `d1_${k}`)),
      set("f0", shuffle(ILO8, `d2_${k}`, `d3_${k}`)),
      set("f1", shuffle(IHI8, `d2_${k}`, `d3_${k}`)),
      store(64 * k, shuffle(ILO16, "e0", "f0")),
      store(64 * k + 16, shuffle(IHI16, "e0", "f0")),
      store(64 * k + 32, shuffle(ILO16, "e1", "f1")),
      store(64 * k + 48, shuffle(IHI16, "e1", "f1")),
    ].join(" "),
  );
}

export function unshuffleWat(): string {
  const v128 = [
    ...Array.from({ length: 8 }, (_, j) => [`a${j}`, `b${j}`, `c${j}`]).flat(),
    ...[0, 1, 2, 3].flatMap((b) => Array.from({ length: 8 }, (_, k) => `d${b}_${k}`)),
    "t",
    "lo",
    "hi",
    "e0",
    "e1",
    "f0",
    "f1",
  ];
  return `(module
  (memory (export "memory") 1)
  (func (export "unshuffle32") (param $planes i32) (param $row i32) (param $out i32)
    (local $p i32) (local $end i32) (local $o i32) (local $any0 i32) (local $any1 i32) (local $any2 i32) (local $any3 i32)
    ${v128.map((name) => `(local $${name} v128)`).join(" ")}
    (local.set $p (local.get $planes))
    (local.set $end (i32.add (local.get $planes) (local.get $row)))
    (local.set $o (local.get $out))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      ${[0, 1, 2, 3].flatMap(byteGroup).join("\n      ")}
      (if (i32.or (i32.or (local.get $any1) (local.get $any2)) (local.get $any3))
        (then ${interleave().join("\n          ")})
        (else ${widen().join("\n          ")}))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $o (i32.add (local.get $o) (i32.const 512)))
      (br $next)))))
`;
}

/** The module's bytes. */
export async function unshuffleWasm(): Promise<Uint8Array> {
  const module = (await wabt()).parseWat("unshuffle.wat", unshuffleWat(), { simd: true });
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** The generated module's text. */
export async function unshuffleModuleSource(): Promise<string> {
  const base64 = Buffer.from(await unshuffleWasm()).toString("base64");
  return `/** Generated by bin/unshuffle-wasm.ts (node --import tsx bin/unshuffle-wasm.ts): its WebAssembly bit unshuffle, compiled. */
export const UNSHUFFLE_WASM = Buffer.from(
  "${base64}",
  "base64",
);
`;
}

if (import.meta.main) writeFileSync(path.join(import.meta.dirname, "..", "analysis", "hdf5", "unshuffle-wasm.ts"), await unshuffleModuleSource());
