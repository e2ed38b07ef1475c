// Jupyter's cursor_pos counts Unicode code points (messaging spec ≥ 5.2); JavaScript strings index
// UTF-16 units. Astral characters (emoji, some math letters) count once there and twice here.
// https://jupyter-client.readthedocs.io/en/latest/messaging.html#cursor-pos-and-unicode-offsets

export function toCodePointOffset(text: string, jsIndex: number): number {
  let points = 0;
  for (let i = 0; i < jsIndex && i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // The second half of a surrogate pair does not start a new code point.
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) points++;
  }
  return points;
}

export function toJsIndex(text: string, codePoints: number): number {
  let index = 0;
  for (let p = 0; p < codePoints && index < text.length; p++) index += text.codePointAt(index)! > 0xffff ? 2 : 1;
  return index;
}
