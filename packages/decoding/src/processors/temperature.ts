import type { LogitsProcessor } from '@weft/core';
import { reqNumber } from '../validate.js';

/** Divides logits by `temperature` (> 0): below 1 sharpens, above 1 flattens. HF `temperature`. */
export class TemperatureProcessor implements LogitsProcessor {
  readonly name = 'temperature';
  readonly temperature: number;
  constructor(temperature: number) {
    this.temperature = reqNumber('temperature', temperature, { min: 0, minOpen: true });
  }
  process(logits: Float32Array): void {
    const t = this.temperature;
    if (t === 1) return;
    for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! / t;
  }
}
