/**
 * A one-line progress bar for terminals (stderr), throttled; silent when stderr is not a TTY.
 * @module
 */

export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;
  private readonly out: NodeJS.WriteStream;
  private readonly startedAt = performance.now();
  private readonly total: number;

  /** @param total the amount `update(done)` counts towards (e.g. bytes of all input files). */
  constructor(total: number, out: NodeJS.WriteStream = process.stderr) {
    this.total = total;
    this.out = out;
    this.enabled = out.isTTY === true && total > 0;
  }

  /** Redraw at most every 100 ms. */
  update(done: number, lines: number, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = (now - this.startedAt) / 1000;
    const rate = secs > 0 ? Math.round(lines / secs) : 0;
    const eta = frac > 0 ? Math.max(0, secs / frac - secs) : 0;
    this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${lines.toLocaleString('en')} lines  ${rate.toLocaleString('en')} lines/s  ETA ${eta.toFixed(0)}s `);
  }

  finish(lines: number): void {
    if (!this.enabled) return;
    this.update(this.total, lines, true);
    this.out.write('\n');
  }
}
