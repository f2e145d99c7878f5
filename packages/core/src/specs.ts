/**
 * Attention and positional variants as discriminated unions (one `kind` per variant),
 * chosen at run time from a model's config. Validation lives with the implementations
 * (@weft/attention, @weft/positional) and throws {@link SpecError} naming the field.
 */

/** Which query/key pairs may attend. */
export type MaskSpec =
  | { kind: 'causal' }
  | { kind: 'bidirectional' }
  /** Prefix-LM: the first `prefixLength` tokens see each other fully; the rest are causal. */
  | { kind: 'prefix'; prefixLength: number };

/** The attention variant of a layer. q:[T,H,D], k,v:[S,Hkv,D]; H % Hkv == 0. */
export type AttentionSpec =
  /** Softmax attention computed row by row (the reference shape). */
  | { kind: 'full'; mask?: MaskSpec }
  /** Tiled online-softmax attention (same result as `full`, O(T) extra memory). */
  | { kind: 'flash'; mask?: MaskSpec; blockSize?: number; window?: number }
  /** Causal local attention over the last `window` keys, plus `sinks` always-visible first tokens. */
  | { kind: 'sliding-window'; window: number; sinks?: number }
  /** BigBird-style block-sparse: sliding blocks, global blocks and seeded random blocks. */
  | {
      kind: 'block-sparse';
      block: number;
      windowBlocks?: number;
      globalBlocks: number;
      randomBlocks: number;
      seed: number;
      causal?: boolean;
    }
  /** Longformer: local window plus chosen global token positions. */
  | { kind: 'global-local'; window: number; globalTokens: readonly number[]; causal?: boolean }
  /** LongT5 transient global: local window plus per-block summary tokens (mean of each block's keys/values). */
  | { kind: 'transient-global'; window: number; block: number; causal?: boolean }
  /** Dilated sliding window: `window` keys spaced `dilation` positions apart (span window·dilation). */
  | { kind: 'dilated'; window: number; dilation: number; causal?: boolean }
  /** Kernelized linear attention; `elu+1` feature map, or FAVOR+ positive random features. */
  | {
      kind: 'linear';
      featureMap: 'elu+1' | { kind: 'favor+'; features: number; seed: number; redrawEvery?: number };
      causal?: boolean;
    }
  /** DeepSeek-V2 multi-head latent attention. */
  | { kind: 'mla'; latentDim: number; ropeDim: number; queryLatentDim?: number; absorbed?: boolean };

/** RoPE context-extension scalings. */
export type RopeScaling =
  | { kind: 'linear'; factor: number }
  | { kind: 'dynamic-ntk'; factor: number; originalContext: number }
  | {
      kind: 'yarn';
      factor: number;
      originalContext: number;
      betaFast?: number;
      betaSlow?: number;
      attentionFactor?: number;
      /** DeepSeek-style mscale numerator (HF `mscale`); with `mscaleAllDim` sets the attention factor. */
      mscale?: number;
      /** DeepSeek-style mscale denominator (HF `mscale_all_dim`). */
      mscaleAllDim?: number;
      /** Round the correction range to whole dims (HF `truncate`, default true). */
      truncate?: boolean;
    }
  | {
      kind: 'llama3';
      factor: number;
      originalContext: number;
      lowFreqFactor: number;
      highFreqFactor: number;
    }
  /**
   * Phi-3 LongRoPE: per-frequency divisors, `shortFactor` while the sequence fits
   * `originalContext` and `longFactor` past it ([R/2] each); `factor` = extended / original
   * context sets the default attention factor √(1 + ln factor / ln originalContext).
   */
  | {
      kind: 'longrope';
      factor: number;
      originalContext: number;
      shortFactor: readonly number[];
      longFactor: readonly number[];
      attentionFactor?: number;
    };

/** How positions enter the model. */
export type PositionalSpec =
  | { kind: 'none' }
  /**
   * Fixed sin/cos table added to the embeddings. `interleaved` (default, Vaswani et al.) puts
   * sin at even and cos at odd channels; `halves` puts all sines first, then all cosines.
   */
  | { kind: 'sinusoidal'; base?: number; layout?: 'interleaved' | 'halves' }
  | { kind: 'learned'; maxPositions: number }
  /**
   * Rotary embedding. `pairs` rotates (x[2i], x[2i+1]) as llama2.c and Meta's Llama do;
   * `halves` rotates (x[i], x[i+D/2]) as Hugging Face's Llama/NeoX do.
   */
  | { kind: 'rope'; base: number; layout: 'pairs' | 'halves'; rotaryDim?: number; scaling?: RopeScaling }
  | { kind: 'alibi'; maxBias?: number }
  | { kind: 't5-relative'; buckets: number; maxDistance: number; bidirectional: boolean };
