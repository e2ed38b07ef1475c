/**
 * `input(prompt)` in cells: asks the frontend for a line of text over the stdin channel
 * (input_request → input_reply). Frontends that cannot answer send allow_stdin: false, and then
 * input() fails at once instead of waiting forever, as ipykernel does.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#messages-on-the-stdin-router-dealer-channel
 */

/** The transport's side: sends one input_request for the running execute_request. */
export interface StdinRequester {
  input(prompt: string, password: boolean): Promise<string>;
}

export class StdinNotImplementedError extends Error {
  override name = "StdinNotImplementedError";

  constructor() {
    super("input() is not available: this frontend does not support input requests (allow_stdin is false)");
  }
}

export type InputFunction = (prompt?: string, options?: { password?: boolean }) => Promise<string>;

/** The globals this module gives cells, as the language service declares them. */
export interface StdinGlobals {
  input: InputFunction;
}

/**
 * The `input` global; `requester()` is the running cell's, or undefined. What the cell printed is
 * flushed first (as ipykernel does), so frontends show it above the prompt: streams and stdin are
 * different channels, and a stream still waiting to be coalesced would otherwise arrive after it.
 */
export function inputFunction(requester: () => StdinRequester | undefined, flushOutput: () => void): InputFunction {
  return async (prompt = "", options = {}) => {
    const stdin = requester();
    if (!stdin) throw new StdinNotImplementedError();
    flushOutput();
    return stdin.input(String(prompt), options.password ?? false);
  };
}
