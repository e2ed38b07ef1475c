#!/usr/bin/python3
"""Per-dataset numbers of a DIALS sweep (programs/dials.json), read with DIALS' own API from the files
dials.find_spots, dials.index and dials.integrate wrote in the current folder, into summary.json:
spots found, the indexed fraction, the unit cell and space group of the integrated model, integrated
reflections and their resolution (d_min)."""
import json

from dials.array_family import flex
from dxtbx.model.experiment_list import ExperimentListFactory

strong = flex.reflection_table.from_file("strong.refl")
indexed = flex.reflection_table.from_file("indexed.refl")
integrated = flex.reflection_table.from_file("integrated.refl")
crystal = ExperimentListFactory.from_json_file("integrated.expt", check_format=False)[0].crystal
n_indexed = indexed.get_flags(indexed.flags.indexed).count(True)
cell = crystal.get_unit_cell()
d = cell.d(integrated["miller_index"])
summary = {
    "spots": len(strong),
    "indexed": n_indexed,
    "indexed_fraction": n_indexed / len(strong) if len(strong) else 0.0,
    "unit_cell": list(cell.parameters()),
    "space_group": str(crystal.get_space_group().info()),
    "integrated": len(integrated),
    "integrated_prf": integrated.get_flags(integrated.flags.integrated_prf).count(True),
    "d_min": flex.min(d) if len(d) else None,
}
with open("summary.json", "w") as fh:
    json.dump(summary, fh)
