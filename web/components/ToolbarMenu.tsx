"use client";

// A drop-down of buttons on <details>/<summary> (keyboard and screen-reader friendly): it closes
// after a choice, on Esc, and on a click elsewhere, as JupyterLab's menus do.

import { useEffect, useRef, type ReactNode } from "react";
import { VscChevronDown } from "react-icons/vsc";

export default function ToolbarMenu({ label, icon, title, children }: { label: string; icon?: ReactNode; title?: string; children: ReactNode }) {
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (event: Event) => {
      const element = menu.current;
      if (!element?.open) return;
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !element.contains(event.target as Node)) element.open = false;
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, []);
  return (
    <details ref={menu} className="menu" title={title}>
      <summary>
        {icon}
        <span className="menu-label">{label}</span>
        <VscChevronDown className="icon menu-chevron" aria-hidden />
      </summary>
      <div
        className="menu-items"
        onClick={(event) => {
          if (menu.current && (event.target as HTMLElement).closest("button")) menu.current.open = false;
        }}
      >
        {children}
      </div>
    </details>
  );
}
