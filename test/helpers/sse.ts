// Reads a GraphQL-over-SSE response: each `data:` line of an event is one execution result.

export interface SseSubscription {
  /** The next result, or an error after `ms`. */
  next(ms?: number): Promise<any>;
  close(): void;
}

export function readSse(response: Response, abort?: AbortController): SseSubscription {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const queue: any[] = [];
  const waiters: ((v: any) => void)[] = [];
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trim())
            .join("");
          if (!data) continue;
          const parsed = JSON.parse(data);
          const waiter = waiters.shift();
          if (waiter) waiter(parsed);
          else queue.push(parsed);
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    next(ms = 5000) {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      });
    },
    close() {
      abort?.abort();
      void reader.cancel().catch(() => {});
    },
  };
}
