#!/usr/bin/env node
/**
 * Greedy generation tokens/s on the CPU backend with the WebAssembly SIMD kernels on and off
 * (same process, alternating, so both see the same machine load):
 *   - stories260K (the real checkpoint the CLI embeds; dim 64, so matmuls are tiny),
 *   - a random-weight model of the stories15M shape (dim 288, 6 layers, 6 heads, vocab 32000,
 *     seq 256), with f32, f16, q8_0 and q4_0 weights.
 *
 *   pnpm build && node bench/cpu/generate.mjs [--quick]
 *
 * tok/s by CPU time of this process (the machine is shared) and by wall time.
 */
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const cpu = await import(new URL('packages/cpu/dist/index.js', root).href);
const core = await import(new URL('packages/core/dist/index.js', root).href);
const { loadLlama2c } = await import(new URL('packages/models/dist/index.js', root).href);
const { generateTokens } = await import(new URL('packages/decoding/dist/index.js', root).href);

const quick = process.argv.includes('--quick');

/** A llama2.c checkpoint (shared classifier) with N(0, 0.05²) weights and unit norms. */
function randomCheckpoint({ dim: C, hidden: F, layers: L, heads: H, kvHeads: Hkv, vocab: V, seq: S }) {
  const D = C / H;
  const kv = Hkv * D;
  const floats = V * C + L * C + L * C * C + 2 * L * C * kv + L * C * C + L * C + 3 * L * F * C + C + S * D;
  const bytes = new Uint8Array(28 + 4 * floats);
  new Int32Array(bytes.buffer, 0, 7).set([C, F, L, H, Hkv, V, S]);
  const w = new Float32Array(bytes.buffer, 28, floats);
  const rng = new core.XorShiftRng(42);
  for (let i = 0; i < floats; i++) w[i] = 0.05 * rng.nextNormal();
  return bytes;
}

async function tokensPerSecond(model, tokens) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  const ids = [];
  for await (const id of generateTokens(model, [1], { maxNewTokens: tokens, temperature: 0 })) {
    ids.push(id);
    count++;
  }
  const c = process.cpuUsage(c0);
  return { cpu: count / ((c.user + c.system) / 1e6), wall: count / ((performance.now() - t0) / 1e3), ids };
}

async function compare(label, bytes, weightsDtype, tokens) {
  const model = loadLlama2c(bytes, { fileName: label, weightsDtype });
  const best = { js: { cpu: 0, wall: 0 }, wasm: { cpu: 0, wall: 0 } };
  let same = true;
  let reference;
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    for (const mode of ['js', 'wasm']) {
      cpu.setWasmKernelsEnabled(mode === 'wasm');
      const r = await tokensPerSecond(model, tokens);
      reference ??= r.ids;
      same &&= r.ids.length === reference.length && r.ids.every((id, i) => id === reference[i]);
      best[mode].cpu = Math.max(best[mode].cpu, r.cpu);
      best[mode].wall = Math.max(best[mode].wall, r.wall);
    }
  }
  cpu.setWasmKernelsEnabled(true);
  model.dispose();
  const f = (v) => v.toFixed(1);
  return `| ${label} | ${weightsDtype} | ${tokens} | ${f(best.js.cpu)} | ${f(best.wasm.cpu)} | ${(best.wasm.cpu / best.js.cpu).toFixed(2)}× | ${f(best.js.wall)} / ${f(best.wasm.wall)} | ${same ? 'yes' : 'no'} |`;
}

const rows = [
  '| model | weights | tokens | JS tok/s (CPU time) | wasm tok/s (CPU time) | speed-up | wall tok/s JS / wasm | same greedy tokens |',
  '|---|---|---|---|---|---|---|---|',
];
const s260 = new Uint8Array(readFileSync(new URL('models/stories260K.bin', root)));
rows.push(await compare('stories260K', s260, 'f32', 256));
const s15 = randomCheckpoint({ dim: 288, hidden: 768, layers: 6, heads: 6, kvHeads: 6, vocab: 32000, seq: 256 });
for (const dtype of ['f32', 'f16', 'q8_0', 'q4_0']) {
  rows.push(await compare('stories15M-shape (random)', s15, dtype, quick ? 16 : 64));
  console.error(`${dtype} done`);
}
console.log(rows.join('\n'));
