"""pyFAI side of bench/azint.ts: frames/s of integrate1d for one detector shape and method.

Usage: OMP_NUM_THREADS=1 /usr/bin/python3 bench/azint_pyfai.py ROWS COLS METHOD NPT FRAMES
Same geometry, mask rule and corrections as bench/azint.ts; prints one JSON line with frames/s
from the median frame time (the machine is shared; the median ignores frames slowed by others).
"""
import json
import sys
import time

import numpy
from pyFAI.azimuthalIntegrator import AzimuthalIntegrator
from pyFAI.detectors import Detector

rows, cols, method, npt, frames = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
detector = Detector(pixel1=75e-6, pixel2=75e-6, max_shape=(rows, cols))
ai = AzimuthalIntegrator(dist=0.12, poni1=rows * 75e-6 * 0.52, poni2=cols * 75e-6 * 0.47,
                         rot1=0.01, rot2=-0.02, rot3=0.03, wavelength=1e-10, detector=detector)
mask = numpy.zeros((rows, cols), numpy.int8)
mask[:, 1030:1040] = 1  # a vertical module gap
mask[514:551, :] = 1    # a horizontal one
data = numpy.random.default_rng(1).poisson(50, (frames, rows, cols)).astype(numpy.uint32)
kwargs = dict(unit="2th_deg", method=("no", method, "cython"), mask=mask, polarization_factor=0.99, correctSolidAngle=True)
t0 = time.perf_counter()
ai.integrate1d(data[0], npt, **kwargs)
setup = time.perf_counter() - t0
times = []
for f in data:
    t0 = time.perf_counter()
    ai.integrate1d(f, npt, **kwargs)
    times.append(time.perf_counter() - t0)
print(json.dumps({"fps": 1 / float(numpy.median(times)), "setup_s": setup}))
