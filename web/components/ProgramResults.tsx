"use client";

// The per-item results of a run's program steps (issue 17): exit status and run time, and the
// numbers each program's JSON output holds (for the DIALS recipe: spots, indexed fraction, unit
// cell, space group, integrated reflections, d_min), one row per dataset. Loaded again whenever
// another task of the run succeeds.

import { useEffect, useState } from "react";
import { getProgramResults, type ProgramRow, type RunModel } from "../lib/runs";
import { errorMessage } from "../lib/jupyter";
import DataTable from "./DataTable";

/** A JSON output's value in a cell: numbers to 4 significant digits (fractions) or 2 decimals, lists joined. */
function cell(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Math.abs(v) < 1 ? v.toPrecision(4) : v.toFixed(2);
  if (Array.isArray(v)) return v.map(cell).join(", ");
  if (v === null || v === undefined) return "—";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

const outputKeys = (rows: ProgramRow[]) => [
  ...new Set(rows.flatMap((r) => (r.result.json && typeof r.result.json === "object" && !Array.isArray(r.result.json) ? Object.keys(r.result.json) : []))),
];

export default function ProgramResults({ run }: { run: RunModel }) {
  const programSteps = run.recipe?.steps.filter((s) => s.program !== undefined) ?? [];
  const [rows, setRows] = useState<ProgramRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const hasPrograms = programSteps.length > 0;
  useEffect(() => {
    if (!hasPrograms) return;
    let stale = false;
    getProgramResults(run.id).then(
      (r) => !stale && (setRows(r), setError(null)),
      (e: unknown) => !stale && setError(errorMessage(e)),
    );
    return () => {
      stale = true;
    };
  }, [run.id, run.counts.succeeded, hasPrograms]);
  if (!hasPrograms) return null;
  const keys = outputKeys(rows);
  const inputOf = (partition: number) => {
    const input = run.tasks?.find((t) => t.partition === partition)?.input;
    return input?.kind === "files" ? input.files.join(", ") : "";
  };
  return (
    <>
      <h2>Program results</h2>
      {error && <p className="notice">{error}</p>}
      <DataTable label="Program results" columns={["Partition", "Input", "Program", "Exit", "Seconds", ...keys, "Log"]}>
        {rows.map((r) => (
          <tr key={`${r.partition}:${r.result.program}`} data-testid="program-row">
            <td className="mono">{r.partition}</td>
            <td className="mono">{inputOf(r.partition)}</td>
            <td>{r.result.program}</td>
            <td>{r.result.exit_code}</td>
            <td>{r.result.seconds.toFixed(1)}</td>
            {keys.map((k) => (
              <td key={k} data-key={k}>
                {cell((r.result.json as Record<string, unknown>)[k])}
              </td>
            ))}
            <td>
              <a href={`/api/lightbook/runs/${encodeURIComponent(run.id)}/tasks/${r.partition}/log`} target="_blank" rel="noreferrer">
                log
              </a>
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
