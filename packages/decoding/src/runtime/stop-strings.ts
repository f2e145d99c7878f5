/**
 * Stop strings that may span token boundaries. Text is pushed as the detokenizer releases it;
 * whatever could still be the start of a stop string is held back, so the caller never emits text
 * it would have to take back.
 */
export class StopStringMatcher {
  private buffer = '';
  private stoppedAt: string | undefined;
  constructor(readonly stops: readonly string[]) {}

  /** The stop string that matched, once one has. */
  get matched(): string | undefined {
    return this.stoppedAt;
  }

  /** Adds text; returns the part that is safe to emit, and whether a stop string was found. */
  push(text: string): { emit: string; stopped: boolean } {
    if (this.stoppedAt !== undefined) return { emit: '', stopped: true };
    this.buffer += text;
    let at = -1;
    for (const s of this.stops) {
      const i = this.buffer.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        this.stoppedAt = s;
      }
    }
    if (at >= 0) {
      const emit = this.buffer.slice(0, at);
      this.buffer = '';
      return { emit, stopped: true };
    }
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, this.buffer.length); k > hold; k--) {
        if (this.buffer.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    const emit = this.buffer.slice(0, this.buffer.length - hold);
    this.buffer = this.buffer.slice(this.buffer.length - hold);
    return { emit, stopped: false };
  }

  /** Releases the held-back text (at the end of generation). */
  flush(): string {
    const rest = this.stoppedAt === undefined ? this.buffer : '';
    this.buffer = '';
    return rest;
  }
}
