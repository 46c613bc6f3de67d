/** First wait before a dead worker is replaced. */
export const RESTART_DELAY_MIN_MS = 500;
/** Longest wait between replacements while workers keep dying. */
export const RESTART_DELAY_MAX_MS = 30_000;
/** A worker that lived this long died of something else than a crash loop: the wait starts over. */
export const STABLE_UPTIME_MS = 60_000;

/**
 * How long the primary waits before replacing a dead worker: 0.5 s, then
 * doubling while workers keep dying young, up to 30 s, so that a worker that
 * crashes at start-up (a bad deploy, a database that refuses connections)
 * does not spin the machine. A worker that lived a minute resets it.
 */
export class RestartBackoff {
  private failures = 0;

  constructor(
    private readonly minMs = RESTART_DELAY_MIN_MS,
    private readonly maxMs = RESTART_DELAY_MAX_MS,
    private readonly stableMs = STABLE_UPTIME_MS,
  ) {}

  /** The wait before replacing a worker that died after `uptimeMs`. */
  delayAfter(uptimeMs: number): number {
    if (uptimeMs >= this.stableMs) this.failures = 0;
    this.failures++;
    return Math.min(this.minMs * 2 ** Math.min(this.failures - 1, 30), this.maxMs);
  }
}
