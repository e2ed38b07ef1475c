/**
 * Where this agent may run tasks (issue 13, item 5). An agent with `beamline:<name>` tags is
 * restricted to those beamlines: it runs the jobs of their proposals' runs only, never a personal
 * run's or another beamline's. An agent without such tags runs every job.
 *
 * graphile-worker filters by forbidden flags only, so a restricted agent forbids the flags of
 * every other beamline that has live runs, read from PostgreSQL at most every REFRESH_MS. A job of
 * a beamline that appeared since is still caught: the task handler asks `accepts` of every job
 * before it starts it, and passes on one that is not this agent's.
 */
import type pg from "pg";
import { beamlineFlag, PERSONAL_FLAG } from "../queue/queue.ts";

const REFRESH_MS = 2000;
const TAG_PREFIX = "beamline:";

/** The beamlines an agent's tags restrict it to (none: unrestricted). */
export function beamlinesOf(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith(TAG_PREFIX) && t.length > TAG_PREFIX.length).map((t) => t.slice(TAG_PREFIX.length));
}

export class Placement {
  readonly #mine: Set<string>;
  #forbidden: { at: number; flags: Promise<string[]> } | undefined;

  constructor(
    readonly beamlines: readonly string[],
    private readonly pool: pg.Pool,
  ) {
    this.#mine = new Set(beamlines.map(beamlineFlag));
  }

  get restricted(): boolean {
    return this.beamlines.length > 0;
  }

  /** Whether a job with these flags is this agent's to run. */
  accepts(flags: Readonly<Record<string, true>> | null): boolean {
    if (!this.restricted) return true;
    return Object.keys(flags ?? {}).some((f) => this.#mine.has(f));
  }

  /** graphile-worker's forbiddenFlags, or undefined for an unrestricted agent (it keeps batched fetches). */
  forbiddenFlags(): (() => Promise<string[]>) | undefined {
    if (!this.restricted) return undefined;
    return () => {
      const now = performance.now();
      if (!this.#forbidden || now - this.#forbidden.at > REFRESH_MS) {
        const flags = this.pool
          .query<{ beamline: string }>(
            "select distinct beamline from run where state in ('pending', 'running') and beamline is not null and beamline <> all($1::text[])",
            [this.beamlines],
          )
          .then(({ rows }) => [PERSONAL_FLAG, ...rows.map((r) => beamlineFlag(r.beamline))]);
        const entry = { at: now, flags };
        // A failed read is asked again at the next fetch, not kept (unless a newer read replaced it).
        flags.catch(() => {
          if (this.#forbidden === entry) this.#forbidden = undefined;
        });
        this.#forbidden = entry;
      }
      return this.#forbidden.flags;
    };
  }

  /** A job was passed on: read the other beamlines again at the next fetch. */
  refresh(): void {
    this.#forbidden = undefined;
  }
}
