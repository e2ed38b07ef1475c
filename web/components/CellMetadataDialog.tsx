"use client";

// A cell's tags and metadata, edited as JupyterLab's property inspector does: tags as a list, the
// rest as JSON. Invalid JSON or a non-object is refused with a message; nothing changes until Save.

import { useState, type FormEvent } from "react";
import { isJsonObject } from "../../contracts/json";
import type { JsonObject } from "../../contracts/notebook";
import ModalDialog from "./ModalDialog";

export function cellTags(metadata: JsonObject): string[] {
  const tags = metadata.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}

/** Tags typed separated by commas or spaces, without duplicates. */
function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((tag) => tag !== ""))];
}

interface Props {
  number: number;
  metadata: JsonObject;
  onSave: (metadata: JsonObject) => void;
  onClose: () => void;
}

export default function CellMetadataDialog({ number, metadata, onSave, onClose }: Props) {
  const { tags: _tags, ...rest } = metadata;
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    let other: unknown;
    try {
      other = JSON.parse(String(form.get("metadata") ?? "{}"));
    } catch (e: unknown) {
      return setError(`The metadata is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isJsonObject(other)) return setError("The metadata must be a JSON object ({…}).");
    const tags = parseTags(String(form.get("tags") ?? ""));
    const { tags: _ignored, ...withoutTags } = other;
    onSave(tags.length > 0 ? { ...withoutTags, tags } : withoutTags);
    onClose();
  };

  return (
    <ModalDialog label={`Cell ${number} tags and metadata`} testId="cell-metadata-dialog" onClose={onClose}>
      <h2>{`Cell ${number}: tags and metadata`}</h2>
      <form className="metadata-form" onSubmit={submit}>
        <label>
          Tags (separated by spaces or commas)
          <input name="tags" defaultValue={cellTags(metadata).join(" ")} autoFocus />
        </label>
        <label>
          Metadata (JSON)
          <textarea name="metadata" rows={8} spellCheck={false} defaultValue={JSON.stringify(rest, null, 2)} />
        </label>
        {error && (
          <p className="notice" role="alert">
            {error}
          </p>
        )}
        <div className="modal-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
