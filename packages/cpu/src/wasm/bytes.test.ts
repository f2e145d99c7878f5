import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs build script, no type declarations
import { assemble } from '../../scripts/build-wasm.mjs';
// @ts-expect-error -- plain .mjs build script, no type declarations
import { kernelsWat } from '../../scripts/kernels-wat.mjs';
import { KERNELS_BASE64 } from './kernels-bytes.js';

describe('committed wasm kernels', () => {
  it('kernels.wat and kernels-bytes.ts equal a fresh assembly (run scripts/build-wasm.mjs after edits)', async () => {
    const wat: string = kernelsWat();
    expect(readFileSync(new URL('./kernels.wat', import.meta.url), 'utf8')).toBe(wat);
    const fresh: Uint8Array = await assemble(wat);
    const committed = new Uint8Array(Buffer.from(KERNELS_BASE64, 'base64'));
    expect(committed.length).toBe(fresh.length);
    expect(Buffer.compare(Buffer.from(committed), Buffer.from(fresh))).toBe(0);
    expect(WebAssembly.validate(committed)).toBe(true);
  });
});
