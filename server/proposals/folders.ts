import type { ContentsManager } from "../contents/manager.ts";
import { NotFoundDomainError } from "../../runtime/errors.ts";
import type { Folders } from "./proposals.ts";

/**
 * Notebook folders in the contents tree, created with their parents when missing and left as they
 * are (their modification time too) when they exist.
 */
export function contentsFolders(contents: ContentsManager, author: string): Folders {
  return {
    async ensureFolder(path: string): Promise<void> {
      const segments = path.split("/");
      for (let i = 1; i <= segments.length; i++) {
        const dir = segments.slice(0, i).join("/");
        try {
          await contents.get(dir, { content: false, type: "directory" });
        } catch (e: unknown) {
          if (!(e instanceof NotFoundDomainError)) throw e;
          await contents.save(dir, { type: "directory" }, { author });
        }
      }
    },
  };
}
