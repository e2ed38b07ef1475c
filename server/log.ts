import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured logs on stderr. Secrets are redacted by key wherever they appear, and request
 * logging records paths without query strings, so a token never reaches a log line.
 */
export function createLogger(name: string): Logger {
  return pino(
    {
      name,
      level: process.env.LIGHTBOOK_LOG_LEVEL ?? "info",
      redact: {
        paths: ["token", "*.token", "headers.authorization", "headers.cookie", "*.headers.authorization", "*.headers.cookie", "key", "*.key"],
        censor: "[redacted]",
      },
    },
    pino.destination(2),
  );
}
