import { defineConfig } from "prisma/config";

// `prisma generate` only needs the schema engine's path to exist: it never runs it. The engine
// cannot be downloaded where Lightbook is built (DESIGN.md), and migrations are applied by
// server/db/migrate.ts, so point Prisma at a file that exists unless a real engine is configured.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
