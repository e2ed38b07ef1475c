import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cellMagics } from "../../kernel/handler/magics.ts";
import { SessionLanguageService } from "../../kernel/language/session-service.ts";
import { DEMO_NOTEBOOKS } from "../../server/demo/seed.ts";

const kernel = { name: "lightbook-ts", display_name: "TypeScript", language: "typescript" };

/**
 * Every shipped demo notebook is type-clean: its code cells, in order, through the kernel's own
 * language service (rooted where the server starts kernels, the repository), as a kernel checks a
 * %%strict cell before running it; a cell that checked joins the session as it does after running.
 */
describe("shipped demo notebooks type-check strictly", () => {
  for (const { path, make } of DEMO_NOTEBOOKS) {
    it(path, () => {
      const service = new SessionLanguageService(process.cwd());
      for (const cell of make(kernel).cells) {
        if (cell.cell_type !== "code") continue;
        const { code } = cellMagics(Array.isArray(cell.source) ? cell.source.join("") : cell.source);
        const found = service.check(code);
        assert.deepEqual(
          found.map((d) => `cell ${cell.id} ${d.line}:${d.column} TS${d.code} ${d.message}`),
          [],
          `${path}: type errors`,
        );
        service.commit(code);
      }
    });
  }
});
