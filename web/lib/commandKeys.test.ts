import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandKeys, type KeyPress } from './commandKeys';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

test('single keys map to Jupyter command-mode commands', () => {
  const keys = new CommandKeys();
  assert.deepEqual(
    ['a', 'B', 'm', 'y', 'r', 'z', 'j', 'k', 'ArrowUp', 'ArrowDown', 'Enter'].map((k) => keys.command(press(k))),
    ['insert-above', 'insert-below', 'to-markdown', 'to-code', 'to-raw', 'undo-delete', 'select-next', 'select-previous', 'select-previous', 'select-next', 'edit'],
  );
  assert.equal(keys.command(press('Enter', { shiftKey: true })), 'run-advance');
  assert.equal(keys.command(press('Enter', { ctrlKey: true })), 'run-in-place');
  assert.equal(keys.command(press('Enter', { metaKey: true })), 'run-in-place');
  assert.equal(keys.command(press('Enter', { altKey: true })), 'run-insert-below');
  assert.equal(keys.command(press('a', { ctrlKey: true })), null, 'Ctrl-A keeps its default');
  assert.equal(keys.command(press('x')), null);
});

test('D deletes only when pressed twice in a row', () => {
  const keys = new CommandKeys();
  assert.equal(keys.command(press('d')), null);
  assert.equal(keys.pending(), true);
  assert.equal(keys.command(press('d')), 'delete');
  assert.equal(keys.pending(), false);
  assert.equal(keys.command(press('d')), null);
  assert.equal(keys.command(press('j')), 'select-next', 'another key cancels the first D');
  assert.equal(keys.command(press('d')), null);
});
