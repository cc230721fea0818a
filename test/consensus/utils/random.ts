/** Seeded randomness for consensus tests (mulberry32): the same seed gives the same run everywhere. */
export class Rng {
  private a: number;

  constructor(readonly seed: number) {
    this.a = seed >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** Seeds for a test: `env` (comma list) overrides the defaults, so a failing seed can be re-run alone. */
export function seedsFrom(envName: string, defaults: readonly number[]): number[] {
  const v = process.env[envName];
  return v === undefined || v === "" ? [...defaults] : v.split(",").map((s) => Number(s.trim()));
}
