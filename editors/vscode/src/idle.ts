// Idle detection: after `idleMs` without activity (an edit, a cursor
// move, focus coming back), report kairos/idle {idleMs} and report again
// every `idleMs` while the person stays away; losing the window's focus
// reports at once. No VS Code API here; the clock is injectable.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type IdleSender = (params: { idleMs: number }) => void;

export class IdleTracker {
  private last: number;
  /** Reports sent since the last activity. */
  private sent = 0;
  private timer: unknown = undefined;
  private disposed = false;

  constructor(
    private idleMs: number,
    private readonly send: IdleSender,
    private readonly clock: Clock = realClock,
  ) {
    this.last = clock.now();
    this.arm();
  }

  /** The person did something: the idle period starts again. */
  activity(): void {
    this.last = this.clock.now();
    this.sent = 0;
    this.arm();
  }

  /** The window lost focus: report how long the person has been idle. */
  focusLost(): void {
    this.report();
  }

  /** Changes the threshold (kairos.idleSeconds changed). */
  setIdleMs(ms: number): void {
    this.idleMs = ms;
    this.sent = Math.floor(this.idleFor() / ms);
    this.arm();
  }

  /** How long since the last activity. */
  idleFor(): number {
    return Math.max(0, this.clock.now() - this.last);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private report(): void {
    if (!this.disposed) this.send({ idleMs: Math.round(this.idleFor()) });
  }

  private arm(): void {
    if (this.disposed) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    // The next report is due when the idle time reaches the next multiple
    // of idleMs (timers may fire a little early: count, don't divide).
    const due = Math.max(0, this.last + this.idleMs * (this.sent + 1) - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.sent++;
      this.report();
      this.arm();
    }, due);
  }
}
