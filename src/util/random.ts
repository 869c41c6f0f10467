/** Small seeded PRNG (mulberry32) so every random choice in SentryCam is reproducible. */

/** A seeded source of random numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

/**
 * Create a generator.
 * @param seed any finite number; the same seed always gives the same sequence.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  // Fold the seed (which may be fractional or > 2^32) into 32 bits.
  let state = (Math.floor(seed) ^ Math.floor(seed / 4294967296) ^ 0x9e3779b9) >>> 0;
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(n: number): number {
      if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // 1 - next() lies in (0, 1], so the log is finite.
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const a = 2 * Math.PI * next();
      spare = r * Math.sin(a);
      return r * Math.cos(a);
    },
  };
}

/** Derive an independent child seed from a seed and a label (e.g. a run name and an epoch). */
export function deriveSeed(seed: number, ...parts: readonly (string | number)[]): number {
  // FNV-1a over the parts' text, mixed with the seed.
  let h = (0x811c9dc5 ^ (Math.floor(seed) >>> 0)) >>> 0;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** In-place Fisher-Yates shuffle. */
export function shuffle<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** m distinct indices from [0, n), in random order (partial Fisher-Yates). */
export function sampleIndices(n: number, m: number, rng: Rng): Int32Array {
  if (!(m >= 0 && m <= n)) throw new Error(`sampleIndices: need 0 <= m <= n, got m=${m}, n=${n}`);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, m);
}
