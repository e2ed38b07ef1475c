import assert from "node:assert/strict";
import { test } from "node:test";
import { freeAttachmentName } from "./attachments";

test("an attachment keeps its name unless the cell has one so named, then numbers it; brackets and spaces are replaced", () => {
  assert.equal(freeAttachmentName(undefined, "image.png"), "image.png");
  const png = { "image/png": "AAAA" };
  assert.equal(freeAttachmentName({ "image.png": png }, "image.png"), "image-1.png");
  assert.equal(freeAttachmentName({ "image.png": png, "image-1.png": png }, "image.png"), "image-2.png");
  assert.equal(freeAttachmentName({}, "beam (1) profile.png"), "beam_1_profile.png");
  assert.equal(freeAttachmentName({ README: png }, "README"), "README-1");
});
