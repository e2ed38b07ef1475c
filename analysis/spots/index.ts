/** Spot finding with DIALS' dispersion semantics, and per-image metrics for grid scans. */
export { type Spot, connectedSpots } from "./components.ts";
export { type DispersionOptions, dispersionThreshold } from "./dispersion.ts";
export { findSpots, type FindSpotsOptions, type ImageMetrics, type ResolvedSpot, type SpotFindingResult } from "./find.ts";
export { estimateResolution, type ResolutionPoint } from "./resolution.ts";
