import path from "node:path";
import { Router } from "express";
import { NotFoundDomainError } from "../../runtime/errors.ts";
import { parseContract } from "../../contracts/parse.ts";
import { recipe as recipeSchema } from "../../contracts/runs.ts";
import type { Db } from "../db/client.ts";
import type { ProgramModel } from "../../contracts/programs.ts";
import type { Programs } from "../../queue/programs.ts";
import { heartbeatOverdue } from "../../queue/sql/agents.ts";
import type { AccessResolver } from "../auth/authorizer.ts";
import type { RunManager } from "../runs/manager.ts";
import { reachableRun } from "../runs/routes.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET /api/lightbook/programs: the allow-list of installed programs runs may name (LIGHTBOOK_PROGRAMS),
 * and for each the live agents that offer it (those whose tags include all of the program's).
 *
 * GET /api/lightbook/runs/{id}/tasks/{partition}/log: a program task's full log (stdout and stderr
 * of every command) as its agent writes it, so a running program's progress can be followed; its
 * current attempt, or `?attempt=N`.
 */
export function programRoutes(db: Db, programs: Programs, lostAfterMs: number, resultsRoot: string, runs: RunManager, access: AccessResolver): Router {
  const r = Router();
  r.get("/api/lightbook/programs", async (_req, res) => {
    const agents = await db.$queryRawUnsafe<{ id: string; name: string; tags: string[] }[]>(
      `select id::text, name, tags from agent where state = 'running' and not (${heartbeatOverdue("$1")}) order by name`,
      lostAfterMs,
    );
    res.json(
      [...programs.values()].map((p): ProgramModel => ({
        name: p.name,
        description: p.description,
        executables: p.commands.map((c) => c.executable),
        input: p.input,
        params: p.params,
        outputs: p.outputs,
        time_limit_s: p.time_limit_s,
        tags: p.tags,
        agents: agents.filter((a) => p.tags.every((t) => a.tags.includes(t))).map((a) => ({ id: a.id, name: a.name })),
      })),
    );
  });
  r.get("/api/lightbook/runs/:id/tasks/:partition/log", async (req, res) => {
    const { id, partition } = req.params;
    const attemptQuery = typeof req.query.attempt === "string" ? req.query.attempt : undefined;
    const notFound = () => new NotFoundDomainError(`No program log for run ${id} partition ${partition}${attemptQuery ? ` attempt ${attemptQuery}` : ""}`);
    if (!UUID.test(id) || !/^\d{1,9}$/.test(partition) || (attemptQuery !== undefined && !/^\d{1,3}$/.test(attemptQuery))) throw notFound();
    await reachableRun(res, runs, access, "read", id);
    const rows = await db.$queryRawUnsafe<{ attempt: number; step: string; recipe: unknown }[]>(
      "select t.attempt, t.step, r.recipe from task t join run r on r.id = t.run_id where t.run_id = $1::uuid and t.partition = $2::int",
      id,
      Number(partition),
    );
    const row = rows[0];
    const program = row && parseContract(recipeSchema, row.recipe, `the recipe of run ${id}`).steps.find((s) => s.id === row.step)?.program;
    if (!row || program === undefined) throw notFound();
    const attempt = attemptQuery === undefined ? row.attempt : Number(attemptQuery);
    // Every part of the path is checked above or comes from the allow-list's names, and sendFile stays under its root.
    res
      .type("text/plain; charset=utf-8")
      .sendFile(path.join("runs", id, partition, `a${attempt}`, `${program}.log`), { root: resultsRoot, dotfiles: "deny" }, (e) => {
        if (e && !res.headersSent) res.status(404).json({ message: notFound().message, reason: "Not Found" });
      });
  });
  return r;
}
