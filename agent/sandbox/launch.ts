/**
 * How this agent starts its sandbox children, found out once at start: a fresh Node process
 * (nothing of the agent's memory, connections or environment), under Node's permission model
 * (read the data root and its scratch folder, write its scratch folder, no child processes, no
 * workers, no addons), and, when the agent runs as root, as an unprivileged user
 * (LIGHTBOOK_SANDBOX_USER, default `nobody`) in a network namespace of its own, so that not even a
 * database that trusts local connections is in reach. `setpriv --pdeathsig` ends a child whose
 * agent is killed while the child's function runs a synchronous loop (it could not notice).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { transform } from "sucrase";

/** A Unix user and group, by number. */
export interface UnixIds {
  uid: number;
  gid: number;
}

export class SandboxSetupError extends Error {
  override name = "SandboxSetupError";
}

/** How one sandbox child starts, as one unprivileged user. */
export interface SandboxLaunch {
  /** The program that starts the child, and its arguments before Node's own (wrappers or none). */
  command: string;
  prefix: string[];
  /** Owner of the child's scratch folders (the sandbox user), when the agent is root. */
  owner: UnixIds | undefined;
  /** Credentials for spawn() itself, when no wrapper sets them. */
  spawnAs: UnixIds | undefined;
  /** Node's permission flags and the child's program, after the folders it may use are added. */
  nodeArgs(readable: string[], writable: string): string[];
}

/** How this agent starts sandbox children: as the sandbox user, or (root) as a run's own account. */
export interface SandboxLauncher {
  /** `owner`: the run's account (agent/sandbox/identity.ts); undefined: the sandbox user. */
  as(owner: UnixIds | undefined): SandboxLaunch;
  /** The isolation in place, for the agent's start log. */
  layers: string[];
  /** Whether the agent is root, so that children run as accounts of their runs. */
  root: boolean;
}

/** Runs a probe; false when the tool is missing or this machine refuses it (a container without the capability). */
function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function userIds(user: string): UnixIds {
  let entry: string;
  try {
    // getent, not /etc/passwd: users may come from LDAP or another NSS source.
    entry = execFileSync("getent", ["passwd", user], { encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    throw new SandboxSetupError(
      `LIGHTBOOK_SANDBOX_USER: no user ${JSON.stringify(user)} on this machine (shipped functions run as this user when the agent is root)`,
    );
  }
  const [, , uid, gid] = entry.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** `--permission` since Node 22.13 and 23.5; `--experimental-permission` before (Node 20). */
function permissionFlag(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major >= 23 || (major === 22 && minor >= 13) ? "--permission" : "--experimental-permission";
}

let childProgram: string | undefined;

/** child.ts as JavaScript: its types stripped (sucrase, as the kernel does for cells). */
function childSource(): string {
  childProgram ??= transform(readFileSync(new URL("./child.ts", import.meta.url), "utf8"), { transforms: ["typescript"] }).code;
  return childProgram;
}

export function sandboxLaunch(user: string): SandboxLauncher {
  const layers = ["separate process", "no database credentials in its environment", "Node permission model", "scratch folder per task"];
  const pdeathsig = works("setpriv", ["--pdeathsig", "KILL", "--", "true"]);
  const nodeArgs = (readable: string[], writable: string) => [
    permissionFlag(),
    ...readable.map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${writable}`,
    "--disable-warning=ExperimentalWarning",
    "--input-type=module",
    "--eval",
    childSource(),
  ];
  if (process.getuid?.() !== 0) {
    const launch: SandboxLaunch = {
      ...(pdeathsig ? { command: "setpriv", prefix: ["--pdeathsig", "KILL", "--", process.execPath] } : { command: process.execPath, prefix: [] }),
      owner: undefined,
      spawnAs: undefined,
      nodeArgs,
    };
    return { as: () => launch, layers, root: false };
  }
  const fallback = userIds(user);
  // Fail closed: an agent that cannot drop to an unprivileged user does not run shipped code as root.
  if (
    pdeathsig &&
    !works("setpriv", ["--reuid", String(fallback.uid), "--regid", String(fallback.gid), "--clear-groups", "--", process.execPath, "--version"])
  ) {
    throw new SandboxSetupError(
      `the sandbox user ${user} cannot run ${process.execPath} (is a folder on its path closed to others, such as /root?): install Node where every user can run it, or set LIGHTBOOK_SANDBOX_USER`,
    );
  }
  layers.push(`the run's own Unix user (${user} for runs without an owner)`);
  const netns = pdeathsig && works("unshare", ["--net", "--", "true"]);
  if (netns) layers.push("no network");
  return {
    layers,
    root: true,
    as: (owner = fallback) => {
      // setpriv changes the user before it sets the parent-death signal (a change of user clears it).
      const setpriv = ["setpriv", "--pdeathsig", "KILL", "--reuid", String(owner.uid), "--regid", String(owner.gid), "--clear-groups", "--", process.execPath];
      if (!pdeathsig) return { command: process.execPath, prefix: [], owner, spawnAs: owner, nodeArgs };
      if (netns) return { command: "unshare", prefix: ["--net", "--", ...setpriv], owner, spawnAs: undefined, nodeArgs };
      return { command: setpriv[0]!, prefix: setpriv.slice(1), owner, spawnAs: undefined, nodeArgs };
    },
  };
}

/**
 * How this agent starts an allow-listed program (agent/programs/), found out once at start. Root:
 * as the run's proposal's account (the sandbox user for a run without one), with no network, in a
 * PID namespace of its own (when its first process dies the kernel ends every process it left,
 * even one that left its process group) and a mount namespace where the data root and the results
 * root are covered by empty, closed folders, so the program sees its inputs only as copied into
 * its scratch folder. Not root: as the agent's user, with the parent-death signal where setpriv
 * has it.
 */
export interface CommandLaunch {
  /** The program to spawn and its arguments, for one command. */
  argv(executable: string, args: string[]): [string, string[]];
  /** Owner of the scratch folder (the run's account), when the agent is root. */
  owner: UnixIds | undefined;
}

export interface CommandLauncher {
  as(owner: UnixIds | undefined): CommandLaunch;
  layers: string[];
}

/** Mounts an empty tmpfs with mode 000 over each path before `--`, then runs what follows (inside the new mount namespace). */
const HIDE_SCRIPT = 'while [ "$1" != "--" ]; do mount -t tmpfs -o size=4k,mode=000 lightbook-hidden "$1" || exit 125; shift; done; shift; exec "$@"';

export function commandLaunch(user: string, hidden: string[]): CommandLauncher {
  const layers = ["scratch folder per task", "inputs copied in", "no database credentials in its environment", "own process group"];
  const pdeathsig = works("setpriv", ["--pdeathsig", "KILL", "--", "true"]);
  if (process.getuid?.() !== 0) {
    const launch: CommandLaunch = {
      argv: (exe, args) => (pdeathsig ? ["setpriv", ["--pdeathsig", "KILL", "--", exe, ...args]] : [exe, args]),
      owner: undefined,
    };
    return { as: () => launch, layers };
  }
  const fallback = userIds(user);
  const drop = (o: UnixIds) => ["setpriv", "--reuid", String(o.uid), "--regid", String(o.gid), "--clear-groups", "--"];
  // Fail closed: a program is never run as root.
  if (!works("setpriv", [...drop(fallback).slice(1), "true"]))
    throw new SandboxSetupError(`the agent cannot run programs as the sandbox user ${user} (setpriv failed)`);
  layers.push(`the run's own Unix user (${user} for runs without an owner)`);
  const ns = ["--net", "--pid", "--fork", "--kill-child", "--mount"];
  if (!works("unshare", [...ns, "--", "/bin/sh", "-c", HIDE_SCRIPT, "lightbook-hide", "--", "true"])) {
    return { as: (owner = fallback) => ({ argv: (exe, args) => ["setpriv", [...drop(owner).slice(1), exe, ...args]], owner }), layers };
  }
  layers.push("no network", "own PID namespace", "data and results roots hidden");
  return {
    as: (owner = fallback) => ({
      // The parent-death signal on unshare: a killed agent ends it, and --kill-child ends the namespace.
      argv: (exe, args) => {
        const inner = ["unshare", ...ns, "--", "/bin/sh", "-c", HIDE_SCRIPT, "lightbook-hide", ...hidden, "--", ...drop(owner), exe, ...args];
        return pdeathsig ? ["setpriv", ["--pdeathsig", "KILL", "--", ...inner]] : [inner[0]!, inner.slice(1)];
      },
      owner,
    }),
    layers,
  };
}
