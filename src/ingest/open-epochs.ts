/**
 * One run's open epochs, by number. Completing takes them out oldest first without sorting or
 * scanning the rest (a min-heap), and the newest is known without spreading the keys into
 * Math.max, which throws RangeError at ~130k arguments and made every frame slower as epochs piled up.
 */
export class OpenEpochs<T> {
  private readonly byEpoch = new Map<number, T>();
  /** Min-heap of the open epochs' numbers. */
  private readonly heap: number[] = [];
  private newestEver = -1;

  get size(): number {
    return this.byEpoch.size;
  }

  /** The highest epoch open now (-1 when none is). */
  get newest(): number {
    // Epochs complete oldest first, so while any is open the newest ever opened still is.
    return this.byEpoch.size ? this.newestEver : -1;
  }

  /** The lowest epoch open now (-1 when none is). */
  get oldest(): number {
    return this.heap[0] ?? -1;
  }

  get(epoch: number): T | undefined {
    return this.byEpoch.get(epoch);
  }

  has(epoch: number): boolean {
    return this.byEpoch.has(epoch);
  }

  add(epoch: number, value: T): void {
    if (this.byEpoch.has(epoch)) throw new Error(`epoch ${epoch} is already open`);
    this.byEpoch.set(epoch, value);
    if (epoch > this.newestEver) this.newestEver = epoch;
    const h = this.heap;
    h.push(epoch);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= h[i]!) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  /** Removes and returns the oldest open epoch if it is at most `through`. */
  takeOldest(through: number): [number, T] | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0]! > through) return undefined;
    const epoch = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    const value = this.byEpoch.get(epoch)!;
    this.byEpoch.delete(epoch);
    return [epoch, value];
  }
}
