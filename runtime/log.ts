import { pino, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export class LogFormatError extends Error {}

/** LIGHTBOOK_LOG_FORMAT, else readable lines on a terminal and JSON lines for whatever collects them. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, tty = process.stderr.isTTY === true): LogFormat {
  const v = env.LIGHTBOOK_LOG_FORMAT;
  if (v === undefined || v === "") return tty ? "pretty" : "json";
  if (!(LOG_FORMATS as readonly string[]).includes(v))
    throw new LogFormatError(`LIGHTBOOK_LOG_FORMAT must be ${LOG_FORMATS.join(" or ")}, not ${JSON.stringify(v)}`);
  return v as LogFormat;
}

/**
 * Structured logs on stderr. Secrets are redacted by key wherever they appear, and request
 * logging records paths without query strings, so a token never reaches a log line.
 */
export function createLogger(name: string): Logger {
  const destination: DestinationStream =
    logFormat() === "pretty"
      ? // In-process and synchronous: the last lines before process.exit are written.
        pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" })
      : pino.destination(2);
  return pino(
    {
      name,
      level: process.env.LIGHTBOOK_LOG_LEVEL ?? "info",
      redact: {
        paths: ["token", "*.token", "headers.authorization", "headers.cookie", "*.headers.authorization", "*.headers.cookie", "key", "*.key"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
