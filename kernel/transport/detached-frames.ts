/**
 * zeromq.js sends a Buffer over 128 bytes without copying it, and releases it later, when libzmq
 * has sent it, through the addon instance of the thread that sent it. If that thread is gone by
 * then (a worker thread that ended, or the main thread during process exit while closed sockets
 * still deliver for their linger), the release writes freed memory and the process aborts
 * ("corrupted double-linked list", "unaligned tcache chunk"; zeromq/zeromq.js#411). A string is
 * copied into memory libzmq frees itself, so text frames (every JSON part of a Jupyter message) go
 * as strings. Binary frames (a message's `buffers`) keep the zero-copy path: only comms send them.
 */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ZERO_COPY_ABOVE = 128;

/** Frames as zeromq.js should get them: text as strings, the rest as Buffers (a plain Uint8Array, as postMessage delivers it, would be sent as its toString()). */
export function detachedFrames(frames: readonly Uint8Array[]): (Buffer | string)[] {
  return frames.map((frame) => {
    if (frame.byteLength > ZERO_COPY_ABOVE) {
      try {
        return utf8.decode(frame);
      } catch {
        // binary: sent as it is
      }
    }
    return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  });
}
