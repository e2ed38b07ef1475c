/**
 * The `display` and `update` functions cells call:
 *   display(valueOrBundle, { id?, metadata? })  → display_data (with transient.display_id if id)
 *   update(id, valueOrBundle)                   → update_display_data of that display
 *   display.html(...), display.markdown(...), display.svg, display.png, display.json,
 *   display.vegaLite(spec), display.image(frame, options) → DisplayObjects, shown when displayed or returned
 *   display.progress(total, { label })          → a progress bar; `.update(done, note)` redraws it in place
 *   clearOutput({ wait? })                      → clear_output of the cell's outputs (wait: when the next output comes, as live plots use)
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#update-display-data
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#clear-output
 */
import { mime, renderValueOrBundle } from "./mime-bundle.ts";
import { defineGlobals } from "./define-globals.ts";
import type { Output } from "./output.ts";
import { image, progressDisplay, type Progress, type ProgressOptions } from "./rich-displays.ts";

export interface DisplayOptions {
  /** Names the output so update(id, …) can replace it later. */
  id?: string;
  metadata?: Record<string, unknown>;
}

export type Display = ((value: unknown, options?: DisplayOptions) => void) &
  typeof mime & {
    image: typeof image;
    progress: (total: number, options?: ProgressOptions) => Progress;
  };

/** The globals this module gives cells, as the language service declares them. */
export interface DisplayGlobals {
  display: Display;
  update: (id: string, value: unknown) => void;
  /** Clears the cell's outputs; with `wait: true`, only when the next output arrives (no flicker between frames). */
  clearOutput: (options?: { wait?: boolean }) => void;
}

export function installDisplayGlobals(output: Output): void {
  // Both return undefined, so a cell ending in display(x) does not also show an execute_result.
  const display: Display = Object.assign(
    (value: unknown, options: DisplayOptions = {}): void => {
      const { data, metadata } = renderValueOrBundle(value);
      output.publish("display_data", {
        data,
        metadata: { ...metadata, ...options.metadata },
        transient: options.id === undefined ? {} : { display_id: options.id },
      });
    },
    {
      ...mime,
      image,
      progress: (total: number, options?: ProgressOptions) => progressDisplay(output, total, options),
    },
  );
  const update = (id: string, value: unknown): void => {
    const { data, metadata } = renderValueOrBundle(value);
    output.publish("update_display_data", { data, metadata, transient: { display_id: id } });
  };
  const clearOutput = (options: { wait?: boolean } = {}): void => {
    output.publish("clear_output", { wait: options.wait === true });
  };
  defineGlobals({ display, update, clearOutput } satisfies DisplayGlobals);
}
