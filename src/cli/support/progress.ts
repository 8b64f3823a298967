/** Where the progress goes: stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const BAR = 28;

/**
 * A command's progress on stderr: on a terminal one line redrawn in place (a bar when the share
 * done is known), elsewhere (a pipe, a log file, CI) a plain line each time the text changes.
 */
export class Progress {
  private readonly tty: boolean;
  private shown = '';
  private drawn = false;

  constructor(private readonly out: ProgressStream = process.stderr) {
    this.tty = out.isTTY === true;
  }

  /** The current step; `done` in [0, 1] when the share done is known. */
  update(text: string, done?: number): void {
    const line = done === undefined ? text : `${bar(done)} ${text}`;
    if (line === this.shown) return;
    this.shown = line;
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const fitted = line.length > width ? `${line.slice(0, width - 3)}...` : line;
    this.out.write(`\r${fitted.padEnd(width)}`);
    this.drawn = true;
  }

  /** A line that stays: on a terminal the progress line is cleared first and drawn again at the next update. */
  note(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  /** Removes the progress line (a terminal) before the command prints its summary. */
  clear(): void {
    if (this.tty && this.drawn) this.out.write(`\r${' '.repeat(Math.max(20, (this.out.columns || 80) - 1))}\r`);
    this.drawn = false;
    this.shown = '';
  }
}

function bar(done: number): string {
  const share = Math.min(1, Math.max(0, done));
  const filled = Math.round(share * BAR);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`;
}
