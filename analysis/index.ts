/**
 * Lightbook's analysis library, as cells import it:
 *
 *   import { openH5, nxData } from "lightbook/analysis";
 *
 * ("lightbook/analysis" is the project's own package, through the "exports" entry of its
 * package.json; kernels start in the project folder so it resolves from every notebook.)
 * Paths to data files are relative to the data root, LIGHTBOOK_DATA_ROOT.
 */
export { dataRoot, resolveDataPath } from "./data-root.ts";
export { AnalysisError, DataRootError, Hdf5Error, MissingFilterError, NotFoundError, ParameterError, ShapeMismatchError } from "./errors.ts";
export { H5Dataset, type Selection } from "./hdf5/dataset.ts";
export { EigerFrames, eigerFrames, eigerPixelMask } from "./hdf5/eiger.ts";
export { H5File, openH5, type OpenOptions } from "./hdf5/file.ts";
export { defaultNxDataPath, nxData, type NxAxis, type NxData, type NxField } from "./hdf5/nexus.ts";
export type { Attrs, DType, FilterInfo, FrameSource, H5Node, NdArray, NumericArray, Roi } from "./hdf5/types.ts";
export { writeNxProcess, type NxProcessOptions, type ParameterValue, type ResultArray } from "./hdf5/write.ts";
export { rotationCenter } from "./tomo/center.ts";
export { fbp, filterProjections, type FbpOptions, type Sinogram } from "./tomo/fbp.ts";
export { FBP_FILTERS, fourierFilter, type FbpFilter } from "./tomo/filters.ts";
export { meanFrame, minusLogNormalize, sinogramOfRow } from "./tomo/normalize.ts";
export { readTomoScan, reconstructSlice, scanSinogram, type ReconstructOptions, type TomoScan } from "./tomo/scan.ts";
export { COLORMAPS, colormapLut, type Colormap } from "./plots/colormaps.ts";
export { renderPng, renderRgb, type RenderOptions } from "./plots/image.ts";
export { gridHeatmapSpec, patternSpec, type HeatmapOptions, type Pattern, type PatternOptions, type VegaLiteSpec } from "./plots/vega.ts";
export {
  AzimuthalIntegrator,
  checkGeometry,
  dSpacing,
  type Geometry,
  type Integrate1dOptions,
  type Integrate1dResult,
  type Integrate2dOptions,
  type Integrate2dResult,
  type IntegrationMethod,
  type Integrator,
  parsePoni,
  pixelAngles,
  type PixelArray,
  qFromTwoTheta,
  type RadialUnit,
  twoThetaAt,
} from "./azint/index.ts";
export {
  dispersionThreshold,
  estimateResolution,
  findSpots,
  type FindSpotsOptions,
  type ImageMetrics,
  type ResolutionPoint,
  type ResolvedSpot,
  type Spot,
  type SpotFindingResult,
} from "./spots/index.ts";
