/**
 * Reads every frame of FILE's /data one by one (with --into, all into one array) and prints JSON {frames, frameBytes, seconds,
 * rssAfterOpen, peakRss} (bytes), for the 4 GiB memory test and bench/hdf5-read.ts. The peak is
 * taken from after the file is open and one frame read: Linux's peak RSS is reset there (the
 * libraries' own loading, tsx's included, is not the reading's), so peakRss - rssAfterOpen is what
 * reading the frames added.
 *
 *   node --import tsx test/analysis/read-frames.ts FILE [--into]
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { openH5 } from "../../analysis/index.ts";
import { tuneFrameCollection } from "../../analysis/frame-malloc.ts";

// As kernels and agents start.
tuneFrameCollection();
const file = process.argv[2];
if (!file) throw new Error("usage: read-frames.ts FILE [--into]");
using f = await openH5(path.basename(file), { root: path.dirname(file) });
const ds = f.dataset("/data");
const first = ds.frame(0);
const into = process.argv.includes("--into") ? first.data : undefined;
// "5" resets the peak RSS (VmHWM, getrusage's ru_maxrss) to the current RSS: proc(5), clear_refs.
writeFileSync("/proc/self/clear_refs", "5");
const rssAfterOpen = process.memoryUsage().rss;
const t = performance.now();
for (let i = 0; i < ds.length; i++) ds.frame(i, into);
const seconds = (performance.now() - t) / 1000;
const peakRss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ frames: ds.length, frameBytes: first.data.byteLength, seconds, rssAfterOpen, peakRss }));
