// Collects items and hands them over in batches: at most one flush per `delayMs`, so a kernel
// sending thousands of messages a second causes a few renders a second, not thousands.

export interface Batcher<T> {
  push(item: T): void;
  /** Hands over what is queued now (e.g. before the execution's reply is applied). */
  flush(): void;
  /** Drops what is queued and stops. */
  cancel(): void;
}

export function batcher<T>(deliver: (items: T[]) => void, delayMs: number): Batcher<T> {
  let queue: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    deliver(items);
  };
  return {
    push(item) {
      queue.push(item);
      timer ??= setTimeout(flush, delayMs);
    },
    flush,
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      queue = [];
    },
  };
}
