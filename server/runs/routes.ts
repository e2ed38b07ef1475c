import { Router } from "express";
import { z } from "zod";
import { HttpError } from "../../runtime/errors.ts";
import { parseBody } from "../http/validate.ts";
import type { RunManager } from "./manager.ts";
import { appendTasksBody, createRunBody } from "../../contracts/runs.ts";

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  state: z.enum(["pending", "running", "succeeded", "failed", "cancelled"]).optional(),
});
const getQuery = z.object({
  tasks: z.enum(["0", "1"]).default("1"),
  /** The task table a page at a time: partitions after this one, at most tasks_limit of them. */
  tasks_after: z.coerce.number().int().min(-1).default(-1),
  tasks_limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** Long polling: answer when the run ends, or after this many milliseconds. */
  wait: z.coerce.number().int().min(0).max(30_000).optional(),
});
const resultsQuery = z.object({
  step: z.string().optional(),
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** Typed-array results as base64 bytes with dtype and shape (what cells ask for), not JSON numbers. */
  binary: z.enum(["0", "1"]).default("0"),
});

function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const r = schema.safeParse(query);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new HttpError(400, `Invalid query: ${issue.path.join(".")}: ${issue.message}`, "Bad Request");
}

/**
 * /api/lightbook/runs: thin handlers over the run manager. POST answers 201 with Location for a
 * new run and 200 with the existing run when its idempotency key (body `key` or the
 * Idempotency-Key header) was seen before.
 */
export function runRoutes(runs: RunManager): Router {
  const r = Router();
  r.post("/api/lightbook/runs", async (req, res) => {
    const body = parseBody(createRunBody, req.body);
    const { run, created } = await runs.create(body, req.get("Idempotency-Key") || undefined);
    res
      .status(created ? 201 : 200)
      .location(`/api/lightbook/runs/${run.id}`)
      .json(run);
  });
  r.get("/api/lightbook/runs", async (req, res) => {
    res.json(await runs.list(parseQuery(listQuery, req.query)));
  });
  r.get("/api/lightbook/runs/:id", async (req, res) => {
    const q = parseQuery(getQuery, req.query);
    if (q.wait) await runs.waitForEnd(req.params.id, q.wait);
    res.json(await runs.get(req.params.id, { tasks: q.tasks === "1", tasksAfter: q.tasks_after, tasksLimit: q.tasks_limit }));
  });
  r.get("/api/lightbook/runs/:id/results", async (req, res) => {
    const q = parseQuery(resultsQuery, req.query);
    res.json(await runs.results(req.params.id, { ...q, binary: q.binary === "1" }));
  });
  r.post("/api/lightbook/runs/:id/tasks", async (req, res) => {
    res.status(201).json(await runs.appendTasks(req.params.id, parseBody(appendTasksBody, req.body)));
  });
  r.post("/api/lightbook/runs/:id/close", async (req, res) => {
    res.json(await runs.close(req.params.id));
  });
  r.delete("/api/lightbook/runs/:id", async (req, res) => {
    await runs.cancel(req.params.id);
    res.status(204).end();
  });
  return r;
}
