// Terminal colours in streams and tracebacks, with the text HTML-escaped by ansi_up.

import { AnsiUp } from "ansi_up";

export function ansiToHtml(text: string): string {
  // A fresh converter per block: AnsiUp carries colour state from one call to the next.
  const converter = new AnsiUp();
  converter.escape_html = true;
  return converter.ansi_to_html(text);
}
