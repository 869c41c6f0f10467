/**
 * Encoder positions of train rows, computed only for the rows that need them and cached: with the
 * layout refined from the previous epoch, only new ids and the neighbours of other splits' points
 * need the encoder, and encoding every row would cost a forward pass over n rows.
 */
import type { Tf } from '../tf/backend.js';
import type { Projector } from './projector.js';

export class LazyEncoder {
  /** n*2 encoder positions; NaN for rows not encoded yet. */
  readonly pos: Float32Array;
  private readonly done: Uint8Array;

  /**
   * @param tf tfjs
   * @param projector the trained projector (its encoder)
   * @param z the train rows' basis coordinates, n*m
   * @param n rows
   * @param m basis width
   */
  constructor(
    private readonly tf: Tf,
    private readonly projector: Projector,
    private readonly z: Float32Array,
    n: number,
    private readonly m: number,
  ) {
    this.pos = new Float32Array(n * 2).fill(NaN);
    this.done = new Uint8Array(n);
  }

  /** Make sure these rows (negative entries ignored) are encoded. */
  rows(rows: ArrayLike<number>): void {
    const todo: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r >= 0 && !this.done[r]) {
        this.done[r] = 1;
        todo.push(r);
      }
    }
    if (todo.length === 0) return;
    const x = new Float32Array(todo.length * this.m);
    todo.forEach((r, i) => x.set(this.z.subarray(r * this.m, (r + 1) * this.m), i * this.m));
    const y = this.projector.apply(this.tf, 'enc', x, todo.length);
    todo.forEach((r, i) => {
      this.pos[2 * r] = y[2 * i];
      this.pos[2 * r + 1] = y[2 * i + 1];
    });
  }
}
