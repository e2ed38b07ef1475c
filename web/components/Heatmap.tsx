'use client';

// One frame of an image dataset on a canvas: one pixel per value, viridis colours, optional log scale.

import { useEffect, useRef } from 'react';
import type { Frame } from '../lib/hdf5';

/** Viridis at nine evenly spaced stops (matplotlib's colormap), interpolated linearly. */
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
] as const;

function colour(t: number): readonly [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function scale(frame: Frame, log: boolean): (v: number) => number {
  if (log) {
    const lo = Math.log1p(Math.max(0, frame.min));
    const span = Math.log1p(Math.max(0, frame.max)) - lo || 1;
    return (v) => (Math.log1p(Math.max(0, v)) - lo) / span;
  }
  const span = frame.max - frame.min || 1;
  return (v) => (v - frame.min) / span;
}

export default function Heatmap({ frame, log, label }: { frame: Frame; log: boolean; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(frame.width, frame.height);
    const toUnit = scale(frame, log);
    for (let i = 0; i < frame.values.length; i++) {
      const [r, g, b] = colour(toUnit(frame.values[i]!));
      image.data.set([r, g, b, 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }, [frame, log]);

  return <canvas ref={canvas} className="heatmap" width={frame.width} height={frame.height} role="img" aria-label={label} data-testid="heatmap" />;
}
