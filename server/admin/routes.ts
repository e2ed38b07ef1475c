import { Router } from "express";
import {
  addBeamtimeBody,
  addMemberBody,
  createProposalBody,
  createUserBody,
  setPasswordBody,
  updateMemberBody,
  updateProposalBody,
  updateUserBody,
} from "../../contracts/admin.ts";
import { idParam, parseBody } from "../http/validate.ts";
import type { SessionSockets } from "../auth/session-sockets.ts";
import type { Proposals } from "../proposals/proposals.ts";
import { requireAdmin } from "./require-admin.ts";
import type { AdminUsers } from "./users.ts";
import type { AccessResolver } from "../auth/authorizer.ts";

const PREFIX = "/api/lightbook/admin";

/**
 * The admin API (issue 13, item 2): users, proposals with their members and beamtimes, and every
 * user's API tokens. Thin: the guard, the body's schema, the manager, the exact status (201 with
 * Location, 204).
 */
export function adminRoutes(d: { users: AdminUsers; proposals: Proposals; sockets: SessionSockets; access: AccessResolver }): Router {
  const { users, proposals } = d;
  const r = Router();
  r.use(PREFIX, requireAdmin(d.access));

  r.get(`${PREFIX}/users`, async (_req, res) => {
    res.json(await users.list());
  });
  r.post(`${PREFIX}/users`, async (req, res) => {
    const user = await users.create(parseBody(createUserBody, req.body));
    res.status(201).location(`${PREFIX}/users/${user.id}`).json(user);
  });
  r.get(`${PREFIX}/users/:id`, async (req, res) => {
    res.json(await users.get(idParam(req, "id", "user")));
  });
  r.patch(`${PREFIX}/users/:id`, async (req, res) => {
    const { user, endedSessions } = await users.update(idParam(req, "id", "user"), parseBody(updateUserBody, req.body));
    for (const key of endedSessions) d.sockets.end(key);
    res.json(user);
  });
  r.put(`${PREFIX}/users/:id/password`, async (req, res) => {
    await users.setPassword(idParam(req, "id", "user"), parseBody(setPasswordBody, req.body).password);
    res.status(204).end();
  });

  r.get(`${PREFIX}/proposals`, async (_req, res) => {
    res.json(await proposals.list());
  });
  r.post(`${PREFIX}/proposals`, async (req, res) => {
    const p = await proposals.create(parseBody(createProposalBody, req.body));
    res.status(201).location(`${PREFIX}/proposals/${p.id}`).json(p);
  });
  r.get(`${PREFIX}/proposals/:id`, async (req, res) => {
    res.json(await proposals.get(idParam(req, "id", "proposal")));
  });
  r.patch(`${PREFIX}/proposals/:id`, async (req, res) => {
    res.json(await proposals.update(idParam(req, "id", "proposal"), parseBody(updateProposalBody, req.body)));
  });

  r.post(`${PREFIX}/proposals/:id/members`, async (req, res) => {
    const id = idParam(req, "id", "proposal");
    const body = parseBody(addMemberBody, req.body);
    const m = await proposals.addMember(id, body.username, body.role);
    res.status(201).location(`${PREFIX}/proposals/${id}/members/${m.userId}`).json(m);
  });
  r.patch(`${PREFIX}/proposals/:id/members/:userId`, async (req, res) => {
    const role = parseBody(updateMemberBody, req.body).role;
    res.json(await proposals.updateMember(idParam(req, "id", "proposal"), idParam(req, "userId", "member"), role));
  });
  r.delete(`${PREFIX}/proposals/:id/members/:userId`, async (req, res) => {
    await proposals.removeMember(idParam(req, "id", "proposal"), idParam(req, "userId", "member"));
    res.status(204).end();
  });

  r.post(`${PREFIX}/proposals/:id/beamtimes`, async (req, res) => {
    const id = idParam(req, "id", "proposal");
    const body = parseBody(addBeamtimeBody, req.body);
    const b = await proposals.addBeamtime(id, body.start, body.end);
    res.status(201).location(`${PREFIX}/proposals/${id}/beamtimes/${b.id}`).json(b);
  });
  r.delete(`${PREFIX}/proposals/:id/beamtimes/:beamtimeId`, async (req, res) => {
    await proposals.removeBeamtime(idParam(req, "id", "proposal"), idParam(req, "beamtimeId", "beamtime"));
    res.status(204).end();
  });

  r.get(`${PREFIX}/tokens`, async (_req, res) => {
    res.json(await users.listTokens());
  });
  r.delete(`${PREFIX}/tokens/:id`, async (req, res) => {
    await users.revokeToken(idParam(req, "id", "token"));
    res.status(204).end();
  });
  return r;
}
