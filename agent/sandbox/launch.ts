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

export class SandboxSetupError extends Error {
  override name = "SandboxSetupError";
}

export interface SandboxLaunch {
  /** The program that starts the child, and its arguments before Node's own (wrappers or none). */
  command: string;
  prefix: string[];
  /** Owner of the child's scratch folders (the sandbox user), when the agent is root. */
  owner: { uid: number; gid: number } | undefined;
  /** Credentials for spawn() itself, when no wrapper sets them. */
  spawnAs: { uid: number; gid: number } | undefined;
  /** Node's permission flags and the child's program, after the folders it may use are added. */
  nodeArgs(readable: string[], writable: string): string[];
  /** The isolation in place, for the agent's start log. */
  layers: string[];
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

function userIds(user: string): { uid: number; gid: number } {
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

export function sandboxLaunch(user: string): SandboxLaunch {
  const layers = ["separate process", "no database credentials in its environment", "Node permission model", "scratch folder per task"];
  const pdeathsig = works("setpriv", ["--pdeathsig", "KILL", "--", "true"]);
  let command = process.execPath;
  let prefix: string[] = [];
  let owner: SandboxLaunch["owner"];
  let spawnAs: SandboxLaunch["spawnAs"];
  if (process.getuid?.() === 0) {
    owner = userIds(user);
    // Fail closed: an agent that cannot drop to the sandbox user does not run shipped code as root.
    if (pdeathsig && !works("setpriv", ["--reuid", String(owner.uid), "--regid", String(owner.gid), "--clear-groups", "--", process.execPath, "--version"])) {
      throw new SandboxSetupError(
        `the sandbox user ${user} cannot run ${process.execPath} (is a folder on its path closed to others, such as /root?): install Node where every user can run it, or set LIGHTBOOK_SANDBOX_USER`,
      );
    }
    layers.push(`user ${user}`);
    // setpriv changes the user before it sets the parent-death signal (a change of user clears it).
    const setpriv = ["setpriv", "--pdeathsig", "KILL", "--reuid", String(owner.uid), "--regid", String(owner.gid), "--clear-groups", "--", process.execPath];
    if (!pdeathsig) spawnAs = owner;
    else if (works("unshare", ["--net", "--", "true"])) {
      layers.push("no network");
      [command, prefix] = ["unshare", ["--net", "--", ...setpriv]];
    } else {
      [command, prefix] = [setpriv[0]!, setpriv.slice(1)];
    }
  } else if (pdeathsig) {
    [command, prefix] = ["setpriv", ["--pdeathsig", "KILL", "--", process.execPath]];
  }
  return {
    command,
    prefix,
    owner,
    spawnAs,
    layers,
    nodeArgs: (readable, writable) => [
      permissionFlag(),
      ...readable.map((p) => `--allow-fs-read=${p}`),
      `--allow-fs-write=${writable}`,
      "--disable-warning=ExperimentalWarning",
      "--input-type=module",
      "--eval",
      childSource(),
    ],
  };
}

/**
 * How this agent starts an allow-listed program (agent/programs/), found out once at start. Root:
 * as the sandbox user, with no network, in a PID namespace of its own (when its first process dies
 * the kernel ends every process it left, even one that left its process group) and a mount
 * namespace where the data root and the results root are covered by empty, closed folders, so the
 * program sees its inputs only as copied into its scratch folder. Not root: as the agent's user,
 * with the parent-death signal where setpriv has it.
 */
export interface CommandLaunch {
  /** The program to spawn and its arguments, for one command. */
  argv(executable: string, args: string[]): [string, string[]];
  /** Owner of the scratch folder (the sandbox user), when the agent is root. */
  owner: { uid: number; gid: number } | undefined;
  layers: string[];
}

/** Mounts an empty tmpfs with mode 000 over each path before `--`, then runs what follows (inside the new mount namespace). */
const HIDE_SCRIPT = 'while [ "$1" != "--" ]; do mount -t tmpfs -o size=4k,mode=000 lightbook-hidden "$1" || exit 125; shift; done; shift; exec "$@"';

export function commandLaunch(user: string, hidden: string[]): CommandLaunch {
  const layers = ["scratch folder per task", "inputs copied in", "no database credentials in its environment", "own process group"];
  const pdeathsig = works("setpriv", ["--pdeathsig", "KILL", "--", "true"]);
  if (process.getuid?.() !== 0) {
    return { argv: (exe, args) => (pdeathsig ? ["setpriv", ["--pdeathsig", "KILL", "--", exe, ...args]] : [exe, args]), owner: undefined, layers };
  }
  const owner = userIds(user);
  const drop = ["setpriv", "--reuid", String(owner.uid), "--regid", String(owner.gid), "--clear-groups", "--"];
  // Fail closed: a program is never run as root.
  if (!works(drop[0]!, [...drop.slice(1), "true"])) throw new SandboxSetupError(`the agent cannot run programs as the sandbox user ${user} (setpriv failed)`);
  layers.push(`user ${user}`);
  const ns = ["--net", "--pid", "--fork", "--kill-child", "--mount"];
  if (!works("unshare", [...ns, "--", "/bin/sh", "-c", HIDE_SCRIPT, "lightbook-hide", "--", "true"])) {
    return { argv: (exe, args) => [drop[0]!, [...drop.slice(1), exe, ...args]], owner, layers };
  }
  layers.push("no network", "own PID namespace", "data and results roots hidden");
  return {
    // The parent-death signal on unshare: a killed agent ends it, and --kill-child ends the namespace.
    argv: (exe, args) => {
      const inner = ["unshare", ...ns, "--", "/bin/sh", "-c", HIDE_SCRIPT, "lightbook-hide", ...hidden, "--", ...drop, exe, ...args];
      return pdeathsig ? ["setpriv", ["--pdeathsig", "KILL", "--", ...inner]] : [inner[0]!, inner.slice(1)];
    },
    owner,
    layers,
  };
}
