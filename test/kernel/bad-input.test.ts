/**
 * Malformed, unsigned and invalid frames on every request channel: each is dropped and logged,
 * never executed, and the kernel keeps answering. (Wrong key and unknown types: kernel-process.test.ts.)
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Dealer } from "zeromq";
import { endpoint } from "../../kernel/protocol/connection.ts";
import { makeHeader } from "../../kernel/protocol/messages.ts";
import { signFrames } from "../../kernel/protocol/wire.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

const json = (...parts: unknown[]) => parts.map((part) => Buffer.from(JSON.stringify(part)));

describe("bad input on the wire", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  const header = () => makeHeader("execute_request", "raw");
  const cases: { name: string; frames: (key: string, code: string) => (string | Buffer)[]; logged: RegExp }[] = [
    {
      name: "no delimiter",
      frames: (key, code) => {
        const parts = json(header(), {}, {}, { code });
        return [signFrames(key, parts), ...parts];
      },
      logged: /missing <IDS\|MSG> delimiter/,
    },
    {
      name: "unsigned",
      frames: (_key, code) => ["<IDS|MSG>", "", ...json(header(), {}, {}, { code })],
      logged: /message is not signed/,
    },
    {
      name: "too few frames",
      frames: (key) => {
        const parts = json(header(), {}, {});
        return ["<IDS|MSG>", signFrames(key, parts), ...parts];
      },
      logged: /expected a signature and 4 JSON frames/,
    },
    {
      name: "a header that is not JSON",
      frames: (key, code) => {
        const parts = [Buffer.from('{"msg_id": '), ...json({}, {}, { code })];
        return ["<IDS|MSG>", signFrames(key, parts), ...parts];
      },
      logged: /header frame is not valid JSON/,
    },
    {
      name: "content without its required field",
      frames: (key, code) => {
        const parts = json(header(), {}, {}, { source: code });
        return ["<IDS|MSG>", signFrames(key, parts), ...parts];
      },
      logged: /execute_request content.code must be a string/,
    },
  ];

  for (const [i, { name, frames, logged }] of cases.entries()) {
    it(`drops and logs ${name}, on shell and control, without running it`, async () => {
      for (const channel of ["shell", "control"] as const) {
        const dealer = new Dealer({ linger: 0 });
        dealer.connect(endpoint(kernel.conn, channel));
        try {
          await dealer.send(frames(kernel.conn.key, `globalThis.ran${i} = true`));
          await sleep(200);
        } finally {
          dealer.close();
        }
      }
      assert.match(kernel.stderr, logged);
      assert.equal(resultText((await kernel.execute(`typeof globalThis.ran${i}`)).iopub), "'undefined'");
    });
  }
});
