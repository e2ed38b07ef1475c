// Find and replace across the notebook (Ctrl-F / Ctrl-H, issue #16): where a query occurs in the
// cells' sources, and the sources with matches replaced. Pure, so it is unit-tested; the search bar
// (components/NotebookSearch.tsx) shows and applies it.

export interface SearchOptions {
  caseSensitive: boolean;
}

export interface TextMatch {
  from: number;
  to: number;
}

export interface SourceMatch extends TextMatch {
  cellId: string;
}

/** Literal text, not a pattern; a RegExp keeps offsets exact where lower-casing would not ("İ" is two characters lower-cased). */
function pattern(query: string, { caseSensitive }: SearchOptions): RegExp {
  return new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), caseSensitive ? "g" : "gi");
}

/** Non-overlapping occurrences of `query` in `text`, left to right; none for an empty query. */
export function findInText(text: string, query: string, options: SearchOptions): TextMatch[] {
  if (query === "") return [];
  return Array.from(text.matchAll(pattern(query, options)), (m) => ({ from: m.index, to: m.index + m[0].length }));
}

export function findInSources(cells: readonly { id: string; source: string }[], query: string, options: SearchOptions): SourceMatch[] {
  return cells.flatMap((cell) => findInText(cell.source, query, options).map((m) => ({ cellId: cell.id, ...m })));
}

/** `text` with each of `matches` (as found in it, in order) replaced by `replacement`, taken literally. */
export function replaceMatches(text: string, matches: readonly TextMatch[], replacement: string): string {
  let out = "";
  let at = 0;
  for (const { from, to } of matches) {
    out += text.slice(at, from) + replacement;
    at = to;
  }
  return out + text.slice(at);
}
