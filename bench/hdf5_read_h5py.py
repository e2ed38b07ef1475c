"""Reads /data frame by frame with h5py (+ hdf5plugin and Debian's bitshuffle plugin), with --into
all into one array (read_direct); prints JSON {seconds, rssAfterOpen, peakRss} (bytes).
usage: hdf5_read_h5py.py FILE [--into]"""
import json
import os
import resource
import sys
import time

import h5py
import hdf5plugin  # noqa: F401
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    ds = f["data"]
    ds[0]
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # peak RSS from here on, as test/analysis/read-frames.ts does
    rss_after_open = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    t = time.perf_counter()
    if "--into" in sys.argv:
        out = np.empty(ds.shape[1:], ds.dtype)
        for i in range(ds.shape[0]):
            ds.read_direct(out, np.s_[i])
    else:
        for i in range(ds.shape[0]):
            frame = ds[i]
    seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rssAfterOpen": rss_after_open, "peakRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
