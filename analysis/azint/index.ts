/** Azimuthal integration with pyFAI 0.21 semantics: geometry, PONI files, 1D and 2D integration. */
export type { PixelArray } from "./errors.ts";
export { checkGeometry, dSpacing, type Geometry, type PixelAngles, pixelAngles, qFromTwoTheta, twoThetaAt } from "./geometry.ts";
export { parsePoni } from "./poni.ts";
export { type RadialUnit, RADIAL_UNITS } from "./units.ts";
export { type CorrectionOptions, polarization, solidAngle } from "./corrections.ts";
export {
  AzimuthalIntegrator,
  type Integrate1dOptions,
  type Integrate1dResult,
  type Integrate2dOptions,
  type Integrate2dResult,
  type IntegrationMethod,
  type Integrator,
} from "./integrator.ts";
export { sharedArray } from "./engines.ts";
export { IntegrationPool } from "./pool.ts";
