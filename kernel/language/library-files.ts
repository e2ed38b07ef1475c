/**
 * The file system as the session's language service sees it, with installed code remembered.
 * TypeScript's language service asks its host for every file's snapshot on every new program, and
 * resolves every import again whenever a cell adds a file: about 300 reads and 1,200 stats of the
 * standard library's and Node's types per checked cell (tsserver keeps them in memory and watches
 * them). Files under `node_modules` and TypeScript's own library do not change while a kernel
 * runs, except by installing a package, which a cell follows by importing it: `forget()` then.
 * The notebook's own modules are read fresh each time.
 */
import { dirname, sep } from "node:path";
import ts from "typescript";

const TYPESCRIPT_LIB = dirname(ts.getDefaultLibFilePath({}));

function isInstalled(path: string): boolean {
  return path.includes(`${sep}node_modules${sep}`) || path.startsWith(TYPESCRIPT_LIB + sep);
}

function remembered<T>(cache: Map<string, T>, path: string, read: (path: string) => T): T {
  if (!isInstalled(path)) return read(path);
  if (cache.has(path)) return cache.get(path) as T;
  const value = read(path);
  cache.set(path, value);
  return value;
}

export class LibraryFiles {
  readonly #snapshots = new Map<string, ts.IScriptSnapshot | undefined>();
  readonly #files = new Map<string, boolean>();
  readonly #directories = new Map<string, boolean>();
  readonly #realpaths = new Map<string, string>();

  snapshot(path: string): ts.IScriptSnapshot | undefined {
    return remembered(this.#snapshots, path, (p) => {
      const text = ts.sys.readFile(p);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    });
  }

  readFile(path: string): string | undefined {
    const snapshot = this.snapshot(path);
    return snapshot?.getText(0, snapshot.getLength());
  }

  fileExists(path: string): boolean {
    return remembered(this.#files, path, ts.sys.fileExists);
  }

  directoryExists(path: string): boolean {
    return remembered(this.#directories, path, ts.sys.directoryExists);
  }

  realpath(path: string): string {
    return remembered(this.#realpaths, path, ts.sys.realpath ?? ((p) => p));
  }

  /** After a package may have been installed: what was missing may be there now. */
  forget(): void {
    this.#snapshots.clear();
    this.#files.clear();
    this.#directories.clear();
    this.#realpaths.clear();
  }
}
