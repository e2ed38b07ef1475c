// Images pasted or dropped into a markdown cell become the cell's nbformat attachments, referenced
// as `![name](attachment:name)`, as JupyterLab does.

import type { Attachments } from "../../contracts/notebook";

/** Types that render (see renderMarkdown); stored base64 like every attachment. */
const ATTACHABLE = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** An attachment is saved inside the notebook, so a large image would make every save slow. */
export const MAX_ATTACHMENT_BYTES = 4 * 2 ** 20;

export function imageFiles(data: DataTransfer | null): File[] {
  return data ? [...data.files].filter((file) => ATTACHABLE.includes(file.type)) : [];
}

export function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/** `name` (pasted images are all "image.png"), or "stem-1.ext", "stem-2.ext"… if the cell already has one so named. */
export function freeAttachmentName(existing: Attachments | undefined, name: string): string {
  const safe = name.replace(/[\s()[\]]+/g, "_") || "image.png";
  if (!existing?.[safe]) return safe;
  const dot = safe.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ""];
  let n = 1;
  while (existing[`${stem}-${n}${ext}`]) n++;
  return `${stem}-${n}${ext}`;
}
