// The cell "Insert code to load this dataset" adds: TypeScript that opens the file with h5wasm in
// the kernel (as the welcome notebook does) and binds the dataset to a variable named after it.

/** A TypeScript identifier from a file or dataset name ("scan_0001.h5" → "scan_0001"). */
export function identifier(name: string): string {
  const cleaned = name.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[A-Za-z_$]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** `dataPath` is relative to the data root; `datasetPath` is the HDF5 path ("/entry/data/data"). */
export function loadDatasetCode(dataPath: string, datasetPath: string): string {
  const fileVar = `${identifier(dataPath.slice(dataPath.lastIndexOf("/") + 1))}_file`;
  const datasetVar = identifier(datasetPath.slice(datasetPath.lastIndexOf("/") + 1));
  return [
    'import h5wasm from "h5wasm/node";',
    "await h5wasm.ready;",
    `const ${fileVar} = new h5wasm.File(\`\${process.env.LIGHTBOOK_DATA_ROOT}/${dataPath.replace(/[`$\\]/g, "\\$&")}\`, "r");`,
    `const ${datasetVar} = ${fileVar}.get(${JSON.stringify(datasetPath)}) as InstanceType<typeof h5wasm.Dataset>;`,
    `${datasetVar}.shape`,
  ].join("\n");
}
