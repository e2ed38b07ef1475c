// The h5grove API H5Web reads through (issue 6): slices and metadata compared with Debian's h5py,
// an Eiger frame through the master's external link, auth, and paths out of the data root refused.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { makeFixture, PYTHON } from "../analysis/fixtures.ts";
import { startServer, type RunningServer } from "../support/server.ts";

interface Request {
  file: string;
  path: string;
  selection?: string;
}

interface Reference {
  bin: string;
  shape: number[];
  meta: Record<string, unknown>;
}

const DTYPES = ["le_i1", "le_u1", "le_i2", "le_u2", "le_i4", "le_u4", "le_i8", "le_u8", "le_f4", "le_f8", "be_u2", "be_i4", "be_f4", "be_f8"];
const REQUESTS: Request[] = [
  ...DTYPES.map((name) => ({ file: "h5/all.h5", path: `/dtypes/${name}` })),
  ...DTYPES.map((name) => ({ file: "h5/all.h5", path: `/dtypes/${name}`, selection: "1,2:15:3,::4" })),
  { file: "h5/all.h5", path: "/dtypes/le_f8", selection: "-1,-5:,3" },
  { file: "h5/all.h5", path: "/dtypes/le_u4", selection: "0" },
  { file: "h5/all.h5", path: "/dtypes/le_u4", selection: "0,5:5,:" },
  { file: "h5/all.h5", path: "/filters/bitshuffle_lz4_uint32", selection: "2,:,:" },
  { file: "h5/all.h5", path: "/filters/blosc_lz4_float32", selection: "1,:,7" },
  { file: "h5/all.h5", path: "/filters/gzip_int32", selection: "3,10:20,:" },
  { file: "h5/all.h5", path: "/scalar" },
  { file: "h5/all.h5", path: "/links/soft", selection: "0,0,:" },
  { file: "h5/all.h5", path: "/links/external" },
  { file: "eiger/series_master.h5", path: "/entry/data/data_000002", selection: "1,:,:" },
  { file: "eiger/series_master.h5", path: "/entry/instrument/detector/detectorSpecific/pixel_mask" },
  // Booleans and enums (h5py writes bool as an enum) come as their base integers.
  { file: "h5/types.h5", path: "/flags", selection: "1:" },
  { file: "h5/types.h5", path: "/flag" },
  { file: "h5/types.h5", path: "/mode" },
];

describe("h5grove API", () => {
  let server: RunningServer;
  let refs: Reference[];
  let out: string;
  const auth = { Authorization: "" };
  const api = (what: string, params: Record<string, string>) =>
    fetch(`${server.url}api/lightbook/h5grove/${what}/?${new URLSearchParams(params)}`, { headers: auth });

  before(async () => {
    server = await startServer({ web: false, env: { LIGHTBOOK_DEMO: "0", LIGHTBOOK_LOCAL_AGENTS: "0" } });
    auth.Authorization = `token ${server.token}`;
    const root = path.join(server.stateDir, "data");
    await mkdir(path.join(root, "h5"), { recursive: true });
    await makeFixture(path.join(root, "h5"), "hdf5", "all.h5");
    await makeFixture(path.join(root, "h5"), "strings-enums", "types.h5");
    await makeFixture(root, "eiger", "eiger", "--frames", "5", "--shape", "40", "32", "--per-file", "2");
    await makeFixture(root, "virtual", "vds", "../outside");
    out = path.join(server.stateDir, "reference");
    const params = path.join(server.stateDir, "slices.json");
    await writeFile(params, JSON.stringify({ root, out, requests: REQUESTS }));
    await makeFixture(server.stateDir, "slices", params);
    refs = JSON.parse(await readFile(path.join(out, "index.json"), "utf8")) as Reference[];
  });
  after(() => server.dispose());

  test("/data/?format=bin&dtype=safe gives h5py's values as little-endian bytes, bit for bit", async () => {
    for (const [n, req] of REQUESTS.entries()) {
      const res = await api("data", { file: req.file, path: req.path, ...(req.selection && { selection: req.selection }), format: "bin", dtype: "safe" });
      const what = `${req.file}:${req.path}[${req.selection ?? ""}]`;
      assert.equal(res.status, 200, what);
      assert.equal(res.headers.get("content-type"), "application/octet-stream", what);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), await readFile(path.join(out, refs[n]!.bin)), what);
    }
  });

  test("/data/?format=bin&dtype=origin keeps a big-endian dataset's byte order; JSON has the selection's shape", async () => {
    const be = await api("data", { file: "h5/all.h5", path: "/dtypes/be_i4", selection: "0,0,0:2", format: "bin" });
    const le = Buffer.from(
      await (await api("data", { file: "h5/all.h5", path: "/dtypes/be_i4", selection: "0,0,0:2", format: "bin", dtype: "safe" })).arrayBuffer(),
    );
    assert.deepEqual([...new Uint8Array(await be.arrayBuffer())], [...le.subarray(0, 4).reverse(), ...le.subarray(4, 8).reverse()]);

    const n = REQUESTS.findIndex((r) => r.path === "/dtypes/le_i8" && r.selection);
    const expected = new BigInt64Array((await readFile(path.join(out, refs[n]!.bin))).buffer.slice(0));
    const text = await (await api("data", { file: "h5/all.h5", path: "/dtypes/le_i8", selection: "1,2:15:3,::4" })).text();
    const shape = refs[n]!.shape;
    assert.deepEqual(shape, [5, 5]);
    const rows = Array.from({ length: shape[0]! }, (_, i) => `[${[...expected.subarray(i * shape[1]!, (i + 1) * shape[1]!)].join(",")}]`);
    assert.equal(text, `[${rows.join(",")}]`, "64-bit integers exact, nested by the selection's shape");
    const flat = await (await api("data", { file: "h5/all.h5", path: "/dtypes/le_i8", selection: "1,2:15:3,::4", flatten: "true" })).text();
    assert.equal(flat, `[${[...expected].join(",")}]`);
  });

  test("/data/?format=npy (H5Web's export) is a file numpy loads, with h5py's values", async () => {
    const n = REQUESTS.findIndex((r) => r.path === "/dtypes/be_f8" && r.selection);
    const res = await api("data", { file: "h5/all.h5", path: "/dtypes/be_f8", selection: REQUESTS[n]!.selection!, format: "npy" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition") ?? "", /^attachment; filename="?data\.npy"?$/);
    const npy = path.join(server.stateDir, "slice.npy");
    await writeFile(npy, Buffer.from(await res.arrayBuffer()));
    const script =
      "import sys, numpy; a = numpy.load(sys.argv[1]); print(a.dtype.str, list(a.shape)); sys.stdout.flush(); sys.stdout.buffer.write(a.tobytes())";
    const { stdout } = await promisify(execFile)(PYTHON, ["-c", script, npy], { encoding: "buffer" });
    const newline = stdout.indexOf(10);
    assert.equal(stdout.subarray(0, newline).toString(), `<f8 ${JSON.stringify(refs[n]!.shape).replace(",", ", ")}`);
    assert.deepEqual(stdout.subarray(newline + 1), await readFile(path.join(out, refs[n]!.bin)));
  });

  test("string datasets come as JSON values", async () => {
    const json = async (p: string) => (await api("data", { file: "h5/types.h5", path: p, flatten: "true" })).json();
    assert.equal(await json("/title"), "scan 17, ü");
    assert.deepEqual(await json("/names"), ["a", "bc", "def"]);
    const sliced = await api("data", { file: "h5/types.h5", path: "/names", selection: "0:1", format: "bin" });
    assert.equal(sliced.status, 400, "strings are not served as bytes");
  });

  test("/meta/ of a dataset: shape, chunks, filters, type and attributes as h5py sees them", async () => {
    for (const [n, req] of REQUESTS.entries()) {
      const meta = (await (await api("meta", { file: req.file, path: req.path })).json()) as Record<string, unknown>;
      const ref = refs[n]!.meta;
      const what = `${req.file}:${req.path}`;
      assert.equal(meta.kind, "dataset", what);
      assert.equal(meta.name, req.path.split("/").at(-1), what);
      assert.deepEqual(meta.shape, ref.shape, what);
      assert.deepEqual(meta.chunks, ref.chunks, what);
      assert.deepEqual(meta.filters, ref.filters, what);
      assert.deepEqual(withoutDtype(meta.type), ref.type, what);
      assert.deepEqual(
        (meta.attributes as { type: unknown }[]).map((a) => ({ ...a, type: withoutDtype(a.type) })),
        ref.attributes,
        what,
      );
    }
  });

  test("/meta/ of a group lists its children; an Eiger master's external links resolve to the data files' datasets", async () => {
    const res = await api("meta", { file: "eiger/series_master.h5", path: "/entry/data" });
    const group = (await res.json()) as { kind: string; attributes: { name: string }[]; children: { name: string; kind: string; shape?: number[] }[] };
    assert.equal(group.kind, "group");
    assert.deepEqual(
      group.attributes.map((a) => a.name),
      ["NX_class"],
    );
    assert.deepEqual(
      group.children.map((c) => [c.name, c.kind, c.shape]),
      [
        ["data_000001", "dataset", [2, 40, 32]],
        ["data_000002", "dataset", [2, 40, 32]],
        ["data_000003", "dataset", [1, 40, 32]],
      ],
    );
    const attrs = await (await api("attr", { file: "eiger/series_master.h5", path: "/entry/data" })).json();
    assert.deepEqual(attrs, { NX_class: "NXdata" });

    const links = (await (await api("meta", { file: "h5/all.h5", path: "/links" })).json()) as { children: Record<string, unknown>[] };
    const byName = Object.fromEntries(links.children.map((c) => [c.name, c]));
    assert.equal(byName.soft!.kind, "dataset");
    assert.equal(byName.external!.kind, "dataset");
    assert.equal(byName.external_group!.kind, "group");
    assert.deepEqual(byName.broken, { kind: "soft_link", name: "broken", target_path: "/nowhere" });
    // A link out of the data root is shown, never followed.
    assert.deepEqual(byName.escape, { kind: "external_link", name: "escape", target_file: "/etc/lightbook-outside.h5", target_path: "/data" });

    const paths = (await (await api("paths", { file: "h5/all.h5", path: "/entry" })).json()) as string[];
    assert.deepEqual(paths, ["/entry", "/entry/plot", "/entry/plot/intensity", "/entry/plot/two_theta"]);
  });

  test("virtual datasets: read when their sources are in the data root, 403 when one is outside (browsing them still works)", async () => {
    const { inside } = JSON.parse(await readFile(path.join(server.stateDir, "data/vds/virtual.json"), "utf8")) as { inside: number[] };
    const ok = await api("data", { file: "vds/inside.h5", path: "/data", selection: "3:6", format: "bin", dtype: "safe" });
    assert.equal(ok.status, 200);
    assert.deepEqual([...new Int32Array(await ok.arrayBuffer())], inside);
    assert.deepEqual(await (await api("data", { file: "vds/same_file.h5", path: "/data", selection: "2,0,:", flatten: "true" })).json(), inside.slice(40, 45));
    for (const file of ["vds/absolute_outside.h5", "vds/relative_outside.h5", "vds/chain.h5", "vds/through_link.h5", "vds/pattern.h5"]) {
      const res = await api("data", { file, path: "/data", format: "bin" });
      assert.equal(res.status, 403, file);
      assert.match(((await res.json()) as { message: string }).message, /leads outside the data root: virtual dataset \/data /, file);
      const meta = (await (await api("meta", { file, path: "/data" })).json()) as { kind: string };
      assert.equal(meta.kind, "dataset", file);
    }
    const missing = await api("data", { file: "vds/missing.h5", path: "/data", format: "json" });
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { message: string }).message, /missing file no-such-file\.h5/);
  });

  test("errors: no session 401, escaping paths 400 (as the data API), a link outside the root 403, missing 404, bad selection 400", async () => {
    const anonymous = await fetch(`${server.url}api/lightbook/h5grove/meta/?file=h5/all.h5&path=/`);
    assert.equal(anonymous.status, 401);
    for (const file of ["../reference/index.json", "/etc/hostname", "h5/%2e%2e/x.h5"]) {
      const res = await api("meta", { file, path: "/" });
      assert.equal(res.status, 400, file);
    }
    assert.equal((await api("data", { file: "h5/all.h5", path: "/links/escape", format: "bin" })).status, 403);
    const missingFile = await api("meta", { file: "h5/none.h5", path: "/" });
    assert.equal(missingFile.status, 404);
    assert.match(((await missingFile.json()) as { message: string }).message, /File not found/);
    const missing = await api("data", { file: "h5/all.h5", path: "/dtypes/nothing" });
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { message: string }).message, /not a valid path/);
    for (const selection of ["0,:,:,1", "a:b", "::0", "9,:,:", "1:2:3:4"]) {
      const res = await api("data", { file: "h5/all.h5", path: "/dtypes/le_u2", selection, format: "bin" });
      assert.equal(res.status, 400, selection);
      assert.match(((await res.json()) as { message: string }).message, /^Invalid selection: /, selection);
    }
    const badFormat = await api("data", { file: "h5/all.h5", path: "/dtypes/le_u2", format: "xml" });
    assert.equal(badFormat.status, 400);
    assert.match(((await badFormat.json()) as { message: string }).message, /format/);
  });
});

/** h5grove's `dtype` (numpy's spelling) is not in h5py's type object; the rest must match. */
function withoutDtype(type: unknown): unknown {
  const { dtype: _dtype, base, ...rest } = type as Record<string, unknown>;
  return base === undefined ? rest : { ...rest, base: withoutDtype(base) };
}
