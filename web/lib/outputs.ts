// The page's view of cell outputs: the reducer shared with the server (contracts/outputs.ts), and
// what only a page has, a prompt it can answer.

export * from "../../contracts/outputs";

/**
 * The kernel asking for a line (`input()`) on the stdin channel, for this client's run or another's
 * (any page on the kernel may answer). `reply` sends the answer; it lives only in the open page.
 */
export interface InputRequest {
  /** The input_request's msg_id: an answer given elsewhere names it. */
  id: string;
  prompt: string;
  password: boolean;
  /** Another client's run: the echoed answer, like its outputs, does not make this copy unsaved. */
  remote: boolean;
  reply(value: string): void;
}
