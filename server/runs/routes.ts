import { Router, type Response } from "express";
import { z } from "zod";
import { HttpError, NotFoundDomainError } from "../../runtime/errors.ts";
import type { Principal } from "../../contracts/accounts.ts";
import { parseBody } from "../http/validate.ts";
import type { RunManager, RunPlacement } from "./manager.ts";
import { appendTasksBody, createRunBody, type CreateRunBody } from "../../contracts/runs.ts";
import { accessOf, authorize, can, runScope, type Access, type AccessResolver, type Action } from "../auth/authorizer.ts";

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

/** The run's id once the principal may do `action` to it; someone else's is "not found". */
export async function reachableRun(res: Response, runs: RunManager, access: AccessResolver, action: Action, id: string): Promise<string> {
  await authorize(res, access, action, { kind: "run", ...(await runs.ownership(id)) }, `Run not found: ${id}`);
  return id;
}

/** Whether a principal may follow a run's events (undefined: every run's, the admins'); an unknown run is not theirs. */
export function runFollower(runs: RunManager, access: AccessResolver): (p: Principal, runId: string | undefined) => Promise<boolean> {
  return async (p, runId) => {
    const a = await access.of(p);
    if (runId === undefined) return can(a, "read", { kind: "service" });
    try {
      return can(a, "read", { kind: "run", ...(await runs.ownership(runId)) });
    } catch (e: unknown) {
      if (e instanceof NotFoundDomainError) return false;
      throw e;
    }
  };
}

/**
 * Whose a new run is and where its tasks may go: its proposal is the one named (the submitter's
 * own), else a token's only proposal, else none (a personal run).
 */
async function placementOf(a: Access, body: CreateRunBody, runs: RunManager): Promise<RunPlacement> {
  const only = a.principal.proposalIds;
  const proposalId = body.proposal_id ?? (only?.length === 1 ? only[0]! : null);
  const refused = () => new HttpError(400, `Invalid request body: proposal_id: you are not a member of proposal ${proposalId}`, "Bad Request");
  if (proposalId !== null && !can(a, "write", { kind: "proposal", id: proposalId })) throw refused();
  // An admin reaches every proposal without holding them: theirs is read from the table.
  const proposal = proposalId === null ? null : (a.proposals.find((x) => x.id === proposalId) ?? (await runs.proposal(proposalId)));
  if (proposalId !== null && !proposal) throw refused();
  return { ownerId: a.principal.userId, proposalId, ...runScope(a, proposal) };
}

/**
 * /api/lightbook/runs: thin handlers over the run manager. POST answers 201 with Location for a
 * new run and 200 with the existing run when its idempotency key (body `key` or the
 * Idempotency-Key header) was seen before. Each user reaches their own runs and their proposals'.
 */
export function runRoutes(runs: RunManager, access: AccessResolver): Router {
  const r = Router();
  const reach = (res: Response, action: Action, id: string) => reachableRun(res, runs, access, action, id);
  r.post("/api/lightbook/runs", async (req, res) => {
    const body = parseBody(createRunBody, req.body);
    const a = await accessOf(res, access);
    const { run, created } = await runs.create(body, req.get("Idempotency-Key") || undefined, await placementOf(a, body, runs));
    // Someone else's key: the run stays theirs (a key is the client's to make unique).
    if (!created && !can(a, "read", { kind: "run", ownerId: run.owner_id, proposalId: run.proposal_id }))
      throw new HttpError(409, "That idempotency key was used by another user's run; choose another", "Conflict");
    res
      .status(created ? 201 : 200)
      .location(`/api/lightbook/runs/${run.id}`)
      .json(run);
  });
  r.get("/api/lightbook/runs", async (req, res) => {
    const a = await accessOf(res, access);
    const mine = a.principal.role === "admin" ? undefined : { userId: a.principal.userId, proposalIds: a.proposals.map((p) => p.id) };
    res.json(await runs.list({ ...parseQuery(listQuery, req.query), reach: mine }));
  });
  r.get("/api/lightbook/runs/:id", async (req, res) => {
    await reach(res, "read", req.params.id);
    const q = parseQuery(getQuery, req.query);
    if (q.wait) await runs.waitForEnd(req.params.id, q.wait);
    res.json(await runs.get(req.params.id, { tasks: q.tasks === "1", tasksAfter: q.tasks_after, tasksLimit: q.tasks_limit }));
  });
  r.get("/api/lightbook/runs/:id/results", async (req, res) => {
    await reach(res, "read", req.params.id);
    const q = parseQuery(resultsQuery, req.query);
    res.json(await runs.results(req.params.id, { ...q, binary: q.binary === "1" }));
  });
  r.post("/api/lightbook/runs/:id/tasks", async (req, res) => {
    await reach(res, "write", req.params.id);
    res.status(201).json(await runs.appendTasks(req.params.id, parseBody(appendTasksBody, req.body)));
  });
  r.post("/api/lightbook/runs/:id/close", async (req, res) => {
    await reach(res, "write", req.params.id);
    res.json(await runs.close(req.params.id));
  });
  r.delete("/api/lightbook/runs/:id", async (req, res) => {
    await reach(res, "write", req.params.id);
    await runs.cancel(req.params.id);
    res.status(204).end();
  });
  return r;
}
