import type { H5WebSelection } from "../lib/h5webSelection";

/**
 * Posts the explorer's selection to the embedding page whenever it changes. H5Web keeps the selected
 * path to itself, but its explorer is a WAI-ARIA tree: the selected item has aria-selected and its
 * path in data-path, and groups other than the root (always open) are expandable (aria-expanded).
 */
export function watchSelection(file: string): () => void {
  let last = "";
  const report = () => {
    const item = document.querySelector<HTMLElement>('[role="treeitem"][aria-selected="true"]');
    const path = item?.dataset.path;
    if (!item || !path || path === last) return;
    last = path;
    const message: H5WebSelection = { type: "h5web-selection", file, path, kind: path === "/" || item.hasAttribute("aria-expanded") ? "group" : "dataset" };
    window.parent.postMessage(message, location.origin);
  };
  const observer = new MutationObserver(report);
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-selected"] });
  return () => observer.disconnect();
}
