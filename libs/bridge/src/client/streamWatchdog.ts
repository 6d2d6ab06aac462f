/**
 * A stream's silence limit: until its first frame, `firstFrameMs` (a model may be loading); after it,
 * `idleMs` between two frames, never the total length. One timer, re-armed per frame rather than made
 * anew: a stream may bring thousands of frames a second. 0 turns a limit off.
 */
export class StreamWatchdog {
  private heard = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private deadline = 0;

  constructor(
    private readonly firstFrameMs: number,
    private readonly idleMs: number,
    /** Called once the limit passes with no frame; `heard`: whether any frame came at all. */
    private readonly onSilence: (heard: boolean) => void,
  ) {
    this.arm();
  }

  /** A frame of any kind came. */
  frame(): void {
    this.heard = true;
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    const ms = this.heard ? this.idleMs : this.firstFrameMs;
    if (ms <= 0) {
      this.stop();
      this.timerAt = Infinity;
      return;
    }
    this.deadline = Date.now() + ms;
    // A later deadline is left to the timer to find when it fires; an earlier one (the first frame came) needs it sooner.
    if (this.deadline < this.timerAt) this.schedule(ms);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(() => this.expire(), ms);
  }

  private expire(): void {
    const left = this.deadline - Date.now();
    if (left > 0) this.schedule(left);
    else this.onSilence(this.heard);
  }
}
