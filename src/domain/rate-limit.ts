// Requests per API key: a token bucket per key, refilled at `perSecond` up to `burst`.
// In memory, per replica: with N replicas behind a balancer a key gets up to N times the
// rate. Keys idle for a minute are forgotten.

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<number, Bucket>();
  private calls = 0;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for the key: 0 when allowed, else the milliseconds until one is due. */
  take(key: number): number {
    if (this.perSecond <= 0) return 0;
    const t = this.now();
    if (++this.calls % 10_000 === 0) this.prune(t);
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.perSecond) * 1000);
  }

  private prune(t: number) {
    for (const [key, b] of this.buckets) if (t - b.at > 60_000) this.buckets.delete(key);
  }
}

/** Whole seconds for Retry-After (at least 1). */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
