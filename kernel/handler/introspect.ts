/**
 * Completion and inspection from the live global state: the dotted name at the cursor is looked up
 * property by property from globalThis. Only data properties are followed, so no getter (and no
 * user code) runs while the user types.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#completion
 */
import type { CompleteReply, CompleteRequest, InspectReply, InspectRequest } from '../protocol/messages.ts';
import { plainText } from './mime-bundle.ts';

const NAME_CHAIN_BEFORE = /((?:[A-Za-z_$][\w$]*\s*\??\.\s*)*)([A-Za-z_$][\w$]*)?$/;
const NAME_AFTER = /^[\w$]*/;

function lookup(holder: unknown, key: string): { found: boolean; value?: unknown } {
  for (let o = holder; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(Object(o), key);
    if (descriptor) return 'value' in descriptor ? { found: true, value: descriptor.value } : { found: false };
  }
  return { found: false };
}

function resolvePath(path: string[]): { found: boolean; value?: unknown } {
  let value: unknown = globalThis;
  for (const key of path) {
    const step = lookup(value, key);
    if (!step.found) return step;
    value = step.value;
  }
  return { found: true, value };
}

function propertyNames(value: unknown): string[] {
  const names = new Set<string>();
  for (let o = value; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(Object(o))) names.add(name);
  }
  return [...names].filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'constructor');
}

/** Cursor positions are in Unicode code points (protocol 5.2+), not UTF-16 units. */
function splitAtCursor(code: string, cursor_pos: number): [string, string] {
  const chars = Array.from(code);
  return [chars.slice(0, cursor_pos).join(''), chars.slice(cursor_pos).join('')];
}

function chainAt(before: string): { path: string[]; prefix: string } {
  const match = NAME_CHAIN_BEFORE.exec(before);
  const path = (match?.[1] ?? '').split('.').map((part) => part.replace(/[\s?]/g, '')).filter(Boolean);
  return { path, prefix: match?.[2] ?? '' };
}

export function complete({ code, cursor_pos }: CompleteRequest): CompleteReply {
  const [before] = splitAtCursor(code, cursor_pos);
  const { path, prefix } = chainAt(before);
  const target = resolvePath(path);
  const matches = target.found ? propertyNames(target.value).filter((name) => name.startsWith(prefix)).sort() : [];
  return {
    status: 'ok',
    matches,
    cursor_start: cursor_pos - Array.from(prefix).length,
    cursor_end: cursor_pos,
    metadata: {},
  };
}

export function inspect({ code, cursor_pos }: InspectRequest): InspectReply {
  const [before, after] = splitAtCursor(code, cursor_pos);
  const { path, prefix } = chainAt(before);
  const name = prefix + (NAME_AFTER.exec(after)?.[0] ?? '');
  if (name === '') return { status: 'ok', found: false, data: {}, metadata: {} };
  const target = resolvePath([...path, name]);
  if (!target.found) return { status: 'ok', found: false, data: {}, metadata: {} };
  const title = [...path, name].join('.');
  const type = target.value === null ? 'null' : typeof target.value;
  return { status: 'ok', found: true, data: { 'text/plain': `${title}: ${type}\n${plainText(target.value)}` }, metadata: {} };
}
