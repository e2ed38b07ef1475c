import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { AzimuthalIntegrator, IntegrationPool, sharedArray } from "../../analysis/azint/index.ts";
import { ParameterError } from "../../analysis/errors.ts";
import { type PyFaiResult, runPyFai, TILTED_GEOMETRY as geometry } from "./pyfai.ts";
import { mulberry32, ringFrame } from "./synthetic.ts";

/**
 * Integration across threads (IntegrationPool): every per-bin sum equal to one thread's bit for
 * bit (each bin adds the same row sums in the same order), on float frames whose sums depend on
 * that order; and against pyFAI 0.21 running its OpenMP engine on 2 threads, within 0.1 % as
 * test/analysis/azint-pyfai.test.ts compares one thread.
 */
const [rows, cols] = geometry.shape;
const n = rows * cols;
const random = mulberry32(5);
const mask = new Uint8Array(n);
for (let r = 100; r < 120; r++) for (let c = 150; c < 175; c++) mask[r * cols + c] = 1;
const dark = Float32Array.from({ length: n }, () => 2 + random());
const flat = Float32Array.from({ length: n }, () => 0.9 + 0.2 * random());
const corrections = { mask, dark, flat, correctSolidAngle: true, polarizationFactor: 0.95, errorModel: "poisson" } as const;

/**
 * Ring frames in float64 with every mantissa bit used (÷ 3), one with NaN pixels: float32 or
 * integer values add up exactly in float64 whatever the order (measured: no bin of this frame
 * changes between the CSR's and the histogram's orders), these do (121 of 180 bins change).
 */
const frames = [7, 8, 9].map((seed) => Float64Array.from(ringFrame(rows, cols, seed, [110, 160], [30, 55, 90, 130]), (x) => (x + random()) / 3));
frames[1]![1000] = NaN;
frames[1]![20_000] = NaN;

type Sums = Record<"intensity" | "sumSignal" | "sumNormalization" | "count", Float64Array> & { sigma?: Float64Array; sumVariance?: Float64Array };

function assertSame(actual: Sums, expected: Sums, what: string): void {
  for (const key of ["intensity", "sigma", "sumSignal", "sumVariance", "sumNormalization", "count"] as const) {
    const a = actual[key];
    const e = expected[key];
    assert.equal(a?.length, e?.length, `${what} ${key}: length`);
    e?.forEach((x, i) => assert.ok(Object.is(a![i], x), `${what} ${key}[${i}]: ${a![i]} across threads, ${x} on one`));
  }
}

describe("azimuthal integration across threads", () => {
  const ai = new AzimuthalIntegrator(geometry);
  const two = new IntegrationPool(2);
  const pools = [two, new IntegrationPool(3)];
  let reference: PyFaiResult[] = [];

  before(async () => {
    reference = await runPyFai(
      geometry,
      { data: Float32Array.from(frames[0]!), mask, dark, flat },
      [{ kind: "1d", npt: 180, method: "csr", unit: "2th_deg", ...corrections, mask: undefined, dark: undefined, flat: undefined }],
      2,
    );
  });
  after(() => Promise.all(pools.map((p) => p.close())));

  const setups = [
    { what: "1D csr", prepare: () => ai.prepare1d({ npt: 180, unit: "2th_deg", ...corrections }) },
    { what: '1D csr, "bbox" splitting', prepare: () => ai.prepare1d({ npt: 180, unit: "q_nm^-1", split: "bbox", ...corrections }) },
    { what: "1D csr without variance", prepare: () => ai.prepare1d({ npt: 500, unit: "2th_deg", mask, correctSolidAngle: true }) },
    { what: "2D csr cake", prepare: () => ai.prepare2d({ nptRad: 50, nptAzim: 36, ...corrections }) },
  ];
  for (const { what, prepare } of setups) {
    it(`${what}: the same sums as one thread, bit for bit, with 2 and 3 threads, frame by frame and in a batch`, () => {
      const integrator = prepare();
      const single = frames.map((f) => integrator.integrate(f));
      for (const pool of pools) {
        const batch = integrator.integrateParallel(frames, pool);
        batch.forEach((r, f) => assertSame(r, single[f]!, `${pool.threads} threads, batch frame ${f}`));
        for (const [f, frame] of frames.entries()) {
          const [r] = integrator.integrateParallel([frame], pool);
          assertSame(r!, single[f]!, `${pool.threads} threads, frame ${f}`);
        }
      }
    });
  }

  it("reads frames in shared memory in place, as well as copies of others", () => {
    const integrator = ai.prepare1d({ npt: 180, unit: "2th_deg", ...corrections });
    const shared = sharedArray(Float64Array, n);
    shared.set(frames[2]!);
    const [inPlace, copied] = integrator.integrateParallel([shared, frames[2]!], two);
    assertSame(inPlace!, copied!, "shared frame");
    assertSame(inPlace!, integrator.integrate(frames[2]!), "shared frame against one thread");
    const counts = Uint16Array.from(frames[0]!, (x) => Math.round(x));
    const [wide] = integrator.integrateParallel([counts], two);
    assertSame(wide!, integrator.integrate(counts), "uint16 frame");
  });

  it("agrees with pyFAI on 2 OpenMP threads within 0.1 %", () => {
    const ref = reference[0]!;
    const [r] = ai.prepare1d({ npt: 180, unit: "2th_deg", ...corrections }).integrateParallel([frames[0]!], two);
    let compared = 0;
    for (let b = 0; b < r!.intensity.length; b++) {
      // A bin whose pixel count differs holds a pixel centre within float32 rounding of an edge (azint-pyfai.test.ts).
      if (!ref.count![b] || ref.count![b] !== r!.count[b]) continue;
      for (const key of ["intensity", "sigma"] as const) {
        const e = ref[key]![b]!;
        const a = r![key]![b]!;
        assert.ok(Math.abs(a - e) <= 1e-3 * Math.abs(e), `${key}[${b}]: ${a} vs pyFAI ${e}`);
      }
      compared++;
    }
    assert.ok(compared > 170, `${compared} of 180 bins compared`);
  });

  it('refuses the histogram method, which has no lookup to share, naming "method"', () => {
    const integrator = ai.prepare1d({ npt: 100, method: "histogram" });
    assert.throws(
      () => integrator.integrateParallel([frames[0]!], two),
      (e: unknown) => e instanceof ParameterError && e.context.parameter === "method",
    );
  });

  it("an empty batch gives no results", () => {
    assert.deepEqual(ai.prepare1d({ npt: 100 }).integrateParallel([], two), []);
  });

  it("a closed pool refuses new work", async () => {
    const pool = new IntegrationPool(2);
    await pool.close();
    assert.throws(() => ai.prepare1d({ npt: 100 }).integrateParallel([frames[0]!], pool), /closed/);
  });

  it("lets the process exit without close(): the shared pool's workers are unref'd", async () => {
    const analysis = path.resolve(import.meta.dirname, "../../analysis/azint/index.ts");
    const script = [
      `const { AzimuthalIntegrator, IntegrationPool } = await import(${JSON.stringify(analysis)});`,
      `const ai = new AzimuthalIntegrator(${JSON.stringify(geometry)});`,
      `const [r] = ai.prepare1d({ npt: 50 }).integrateParallel([new Float32Array(${n}).fill(1)]);`,
      `console.log(IntegrationPool.shared().threads, r.intensity.length);`,
    ].join("\n");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 60_000 });
    assert.match(stdout, /^\d+ 50\n$/);
  });
});
