import { Prisma } from "./generated/client.ts";

/** Whether a write failed on a unique constraint (Prisma's P2002): the row exists already. */
export function isUniqueViolation(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";
}
