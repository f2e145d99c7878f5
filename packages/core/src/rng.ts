/**
 * Seeded random numbers. {@link Rng} is the contract samplers and random-feature code use;
 * {@link XorShiftRng} reproduces llama2.c's `random_u32` / `random_f32` bit for bit
 * (xorshift64* with the multiplier 0x2545F4914F6CDD1D), so a seed gives the same draws here
 * as in `run.c`.
 */
export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextU32(): number;
  /** Uniform float in [0, 1) with 24 bits of precision (as llama2.c's random_f32). */
  nextFloat(): number;
  /** Standard normal draw (Box–Muller). */
  nextNormal(): number;
  /** Independent generator derived from this one (for forking per sequence or per layer). */
  fork(): Rng;
}

const MASK64 = (1n << 64n) - 1n;
const MULT = 0x2545f4914f6cdd1dn;

/** llama2.c's xorshift64* generator. Seed 0 is remapped (an all-zero state never moves). */
export class XorShiftRng implements Rng {
  private state: bigint;
  private spare: number | undefined;
  constructor(seed: number | bigint = 0x9e3779b97f4a7c15n) {
    let s = BigInt.asUintN(64, BigInt(seed));
    if (s === 0n) s = 0x9e3779b97f4a7c15n;
    this.state = s;
  }
  nextU32(): number {
    let s = this.state;
    s ^= s >> 12n;
    s = (s ^ (s << 25n)) & MASK64;
    s ^= s >> 27n;
    this.state = s;
    return Number(((s * MULT) & MASK64) >> 32n);
  }
  nextFloat(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }
  nextNormal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  fork(): Rng {
    return new XorShiftRng((BigInt(this.nextU32()) << 32n) | BigInt(this.nextU32()));
  }
}

/** Convenience: a seeded generator. */
export function createRng(seed: number | bigint): Rng {
  return new XorShiftRng(seed);
}
