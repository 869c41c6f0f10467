/**
 * An in-memory terminal for the dashboard: output and input streams that blessed accepts as a
 * TTY of a given size. Used to benchmark full frames without a terminal emulator in the loop and
 * to drive keys in process; the real-terminal checks run in tmux.
 */
import { PassThrough, Writable } from 'node:stream';

/** Output stream posing as a TTY of `columns` x `rows`; counts (and optionally keeps) what is written. */
export class OffscreenOutput extends Writable {
  readonly isTTY = true;
  /** Bytes written so far. */
  bytes = 0;
  private readonly kept: string[] = [];

  /**
   * @param columns width in cells.
   * @param rows height in cells.
   * @param keep keep the written text (tests); a benchmark only counts bytes.
   */
  constructor(
    public columns: number,
    public rows: number,
    private readonly keep = true,
  ) {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.bytes += Buffer.byteLength(s);
    if (this.keep) this.kept.push(s);
    cb();
  }

  /** Everything written so far. */
  text(): string {
    return this.kept.join('');
  }

  /** Forget what was written (the byte count stays). */
  clearText(): void {
    this.kept.length = 0;
  }

  /** Change the size and tell listeners, as a terminal does on SIGWINCH. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }

  getWindowSize(): [number, number] {
    return [this.columns, this.rows];
  }
}

/** Input stream posing as a raw-mode TTY; write key bytes into it (e.g. 'q', '\x1b[D'). */
export class OffscreenInput extends PassThrough {
  readonly isTTY = true;
  isRaw = false;

  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
}
