/**
 * Kernel connection files: https://jupyter-client.readthedocs.io/en/latest/kernels.html#connection-files
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  /** HMAC key; '' disables signing. */
  key: string;
  /** Only 'hmac-sha256' is supported (the Jupyter default). */
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

export type SocketName = "shell" | "iopub" | "stdin" | "control" | "hb";

export class ConnectionFileError extends Error {
  override name = "ConnectionFileError";
}

/** ZMQ endpoint of one of the kernel's sockets; ipc uses Jupyter's `<ip>-<port>` path convention. */
export function endpoint(conn: ConnectionInfo, socket: SocketName): string {
  const port = conn[`${socket}_port`];
  return conn.transport === "tcp" ? `tcp://${conn.ip}:${port}` : `ipc://${conn.ip}-${port}`;
}

const PORT_FIELDS = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const;

/** Validate parsed JSON as connection info; `source` names it in error messages. */
export function parseConnectionInfo(json: unknown, source = "connection info"): ConnectionInfo {
  const fail = (what: string): never => {
    throw new ConnectionFileError(`${source}: ${what}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("must be a JSON object");
  const x = json as Record<string, unknown>;
  const transport = x.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") return fail(`transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  if (typeof x.ip !== "string" || x.ip === "") return fail("ip must be a non-empty string");
  const ports: Record<(typeof PORT_FIELDS)[number], number> = {
    shell_port: 0,
    iopub_port: 0,
    stdin_port: 0,
    control_port: 0,
    hb_port: 0,
  };
  for (const field of PORT_FIELDS) {
    const port = x[field];
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      return fail(`${field} must be an integer port 1..65535, got ${JSON.stringify(port)}`);
    }
    ports[field] = port;
  }
  if (typeof x.key !== "string") return fail("key must be a string");
  const scheme = x.signature_scheme ?? "hmac-sha256";
  if (scheme !== "hmac-sha256") return fail(`signature_scheme ${JSON.stringify(scheme)} is not supported (use "hmac-sha256")`);
  const kernelName = x.kernel_name ?? "";
  if (typeof kernelName !== "string") return fail("kernel_name must be a string");
  return { transport, ip: x.ip, ...ports, key: x.key, signature_scheme: scheme, kernel_name: kernelName };
}

export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e: unknown) {
    throw new ConnectionFileError(`cannot read connection file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new ConnectionFileError(`connection file ${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseConnectionInfo(json, `connection file ${path}`);
}

/** Written owner-only, since the file holds the signing key. */
export async function writeConnectionFile(path: string, conn: ConnectionInfo): Promise<void> {
  await writeFile(path, JSON.stringify(conn, null, 2), { mode: 0o600 });
}

function listenOnFreePort(ip: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, ip, () => resolve(server));
  });
}

/**
 * Five distinct free TCP ports on `ip` and a random key. The ports are held open together while
 * picking, so they differ; as in jupyter_client, another process may still take one before the
 * kernel binds it.
 */
export async function allocateConnection(ip = "127.0.0.1", kernel_name = ""): Promise<ConnectionInfo> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (const _ of PORT_FIELDS) {
      const server = await listenOnFreePort(ip);
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
  const [shell_port = 0, iopub_port = 0, stdin_port = 0, control_port = 0, hb_port = 0] = ports;
  return {
    transport: "tcp",
    ip,
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name,
  };
}
