// Saving a generated file from the browser: a Blob behind a temporary object URL.

export function downloadFile(fileName: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  // The click starts the download synchronously; the URL can go once it has been handed over.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
