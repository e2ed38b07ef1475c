import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandKeys, isCellsCommand, KEY_BINDINGS, type KeyPress } from "./commandKeys";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

test("single keys map to Jupyter command-mode commands", () => {
  const keys = new CommandKeys();
  assert.deepEqual(
    ["a", "B", "m", "y", "r", "z", "j", "k", "ArrowUp", "ArrowDown", "Enter"].map((k) => keys.command(press(k))),
    [
      "insert-above",
      "insert-below",
      "to-markdown",
      "to-code",
      "to-raw",
      "undo-delete",
      "select-next",
      "select-previous",
      "select-previous",
      "select-next",
      "edit",
    ],
  );
  assert.equal(keys.command(press("Enter", { shiftKey: true })), "run-advance");
  assert.equal(keys.command(press("Enter", { ctrlKey: true })), "run-in-place");
  assert.equal(keys.command(press("Enter", { metaKey: true })), "run-in-place");
  assert.equal(keys.command(press("Enter", { altKey: true })), "run-insert-below");
  assert.equal(keys.command(press("a", { ctrlKey: true, shiftKey: true })), null, "Ctrl-Shift-A keeps its default");
  assert.equal(keys.command(press("q")), null);
  assert.deepEqual(
    ["o", "l", "h", "1", "6"].map((k) => keys.command(press(k))),
    ["toggle-output", "toggle-line-numbers", "help", "heading-1", "heading-6"],
  );
  assert.equal(keys.command(press("L", { shiftKey: true })), "toggle-all-line-numbers");
  assert.equal(keys.command(press("O", { shiftKey: true })), null, "other shifted keys are not commands");
  assert.equal(keys.command(press("7")), null);
});

test("keys on selected cells: X / C / V / Shift-V, Shift-J/K and Shift-arrows, Ctrl-A, Shift-M", () => {
  const keys = new CommandKeys();
  assert.deepEqual(
    ["x", "c", "v"].map((k) => keys.command(press(k))),
    ["cut", "copy", "paste-below"],
  );
  assert.deepEqual(
    ["V", "M", "J", "K", "ArrowDown", "ArrowUp"].map((k) => keys.command(press(k, { shiftKey: true }))),
    ["paste-above", "merge", "extend-below", "extend-above", "extend-below", "extend-above"],
  );
  assert.equal(keys.command(press("a", { ctrlKey: true })), "select-all");
  assert.equal(keys.command(press("a", { metaKey: true })), "select-all", "Cmd-A on macOS");
  assert.equal(keys.command(press("c", { ctrlKey: true })), null, "Ctrl-C keeps its default");
  assert.equal(keys.command(press("d")), null);
  assert.equal(keys.command(press("d")), "delete");
  assert.ok(isCellsCommand("merge") && isCellsCommand("delete") && !isCellsCommand("undo-delete"));
});

test("I I interrupts and 0 0 restarts; a different key in between cancels", () => {
  const keys = new CommandKeys();
  assert.equal(keys.command(press("i")), null);
  assert.equal(keys.command(press("i")), "interrupt");
  assert.equal(keys.command(press("0")), null);
  assert.equal(keys.command(press("0")), "restart");
  assert.equal(keys.command(press("i")), null);
  assert.equal(keys.command(press("0")), null, "I then 0 is neither");
  assert.equal(keys.command(press("d")), null);
  assert.equal(keys.command(press("d")), "delete");
});

test("D deletes only when pressed twice in a row", () => {
  const keys = new CommandKeys();
  assert.equal(keys.command(press("d")), null);
  assert.equal(keys.pending(), true);
  assert.equal(keys.command(press("d")), "delete");
  assert.equal(keys.pending(), false);
  assert.equal(keys.command(press("d")), null);
  assert.equal(keys.command(press("j")), "select-next", "another key cancels the first D");
  assert.equal(keys.command(press("d")), null);
});

test("README's keyboard paragraph names every binding the help dialog lists", async () => {
  const { readFile } = await import("node:fs/promises");
  const readme = (await readFile(new URL("../../README.md", import.meta.url), "utf8")).replace(/\s+/g, " ");
  for (const { keys } of KEY_BINDINGS) assert.ok(readme.includes(keys), `README lacks ${keys}`);
});
