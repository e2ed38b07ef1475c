#!/usr/bin/python3
"""dials.scale on every integrated sweep an earlier dials.sweep step kept, as the agent copied them into
input/0/, input/1/, … (programs/dials.json, the dials.scale entry; extra arguments go to dials.scale),
then the Overall column of the summary of merging statistics dials.scale prints, in scale.json."""
import glob
import json
import re
import subprocess
import sys

dirs = sorted(glob.glob("input/*"), key=lambda d: int(d.rsplit("/", 1)[-1]))
args = [d + "/integrated.expt" for d in dirs] + [d + "/integrated.refl" for d in dirs] + sys.argv[1:]
p = subprocess.run(["dials.scale", *args], capture_output=True, text=True)
sys.stdout.write(p.stdout)
sys.stderr.write(p.stderr)
if p.returncode != 0:
    sys.exit(p.returncode)
NAMES = {
    "High resolution limit": "d_min",
    "Low resolution limit": "d_max",
    "Completeness": "completeness",
    "Multiplicity": "multiplicity",
    "I/sigma": "i_over_sigma",
    "Rmerge(I)": "r_merge",
    "Rmeas(I)": "r_meas",
    "Rpim(I)": "r_pim",
    "CC half": "cc_half",
    "Total observations": "observations",
    "Total unique": "unique",
}
summary = {"datasets": len(dirs)}
table = p.stdout[p.stdout.rindex("Summary of merging statistics") :]
for line in table.splitlines():
    m = re.match(r"^(\S.*?)\s{2,}(-?[\d.]+)\s", line)
    if m and m.group(1) in NAMES and NAMES[m.group(1)] not in summary:
        summary[NAMES[m.group(1)]] = float(m.group(2))
with open("scale.json", "w") as fh:
    json.dump(summary, fh)
