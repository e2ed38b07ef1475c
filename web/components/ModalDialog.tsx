"use client";

import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  label: string;
  testId: string;
  onClose: () => void;
  children: ReactNode;
}

/** The browser's modal <dialog>: it traps focus, closes on Esc and gives focus back to where it was. */
export default function ModalDialog({ label, testId, onClose, children }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog ref={dialog} className="modal" aria-label={label} data-testid={testId} onClose={onClose}>
      {children}
    </dialog>
  );
}
