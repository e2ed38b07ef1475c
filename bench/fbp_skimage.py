"""skimage.transform.iradon on a raw float64 sinogram: prints seconds (best of REPEAT).
usage: fbp_skimage.py SINOGRAM.bin SIZE ANGLES REPEAT"""
import sys
import time

import numpy as np
from skimage.transform import iradon

path, size, angles, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sino = np.fromfile(path, dtype="<f8").reshape(size, angles)
theta = np.linspace(0.0, 180.0, angles, endpoint=False)
best = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    iradon(sino, theta=theta, filter_name="ramp", circle=True)
    best = min(best, time.perf_counter() - t)
print(best)
