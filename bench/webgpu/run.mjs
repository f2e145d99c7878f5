// weft's WebGPU kernels vs onnxruntime-web's WebGPU EP vs tfjs-backend-webgpu, same adapter,
// one process. Prints per-shape median times and weft's speed-up over each peer, and writes
// bench/webgpu/results.json + results.md (results-lavapipe.* on Mesa lavapipe).
//
//   pnpm turbo run build --filter=@weft/webgpu && node --liftoff-only bench/webgpu/run.mjs
//
// (Re-executes itself with LD_LIBRARY_PATH / VK_ICD_FILENAMES pointing at Debian chromium's
// SwiftShader when they are unset.) Software adapters are slower than plain JS: the numbers
// are kernel-efficiency ratios on the same adapter, not GPU speeds.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const chromium = '/usr/lib/chromium';
if (
  !process.env.WEFT_BENCH_CHILD &&
  existsSync(`${chromium}/libvulkan.so.1`) &&
  !existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1')
) {
  const env = {
    ...process.env,
    WEFT_BENCH_CHILD: '1',
    LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, chromium].filter(Boolean).join(':'),
  };
  env.VK_ICD_FILENAMES ??= `${chromium}/vk_swiftshader_icd.json`;
  const r = spawnSync(process.execPath, ['--liftoff-only', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  process.exit(r.status ?? 1);
}
v8.setFlagsFromString('--liftoff-only');
// the adapter: SwiftShader unless VK_ICD_FILENAMES picks another driver (e.g. Mesa's lavapipe)
if (!process.env.VK_ICD_FILENAMES && existsSync(`${chromium}/vk_swiftshader_icd.json`))
  process.env.VK_ICD_FILENAMES = `${chromium}/vk_swiftshader_icd.json`;

const pkg = join(root, 'packages', 'webgpu');
const req = createRequire(join(pkg, 'package.json'));
const { create, globals } = await import(pathToFileURL(req.resolve('webgpu')).href);
Object.assign(globalThis, globals);
const gpu = create([]);
Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
// onnxruntime-web hands Dawn views of SharedArrayBuffers, which Dawn rejects: copy them
const write = GPUQueue.prototype.writeBuffer;
GPUQueue.prototype.writeBuffer = function (buffer, offset, data, ...rest) {
  return write.call(this, buffer, offset, data?.buffer instanceof SharedArrayBuffer ? data.slice() : data, ...rest);
};

const { createWebGpuBackend } = await import(pathToFileURL(join(pkg, 'dist', 'index.js')).href);
const ort = await import(pathToFileURL(join(pkg, 'node_modules', 'onnxruntime-web', 'dist', 'ort.webgpu.min.mjs')).href);
const tf = req('@tensorflow/tfjs-core');
req('@tensorflow/tfjs-backend-webgpu');
const { onnxModel } = await import('./onnx.mjs');

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
await tf.setBackend('webgpu');
await tf.ready();
const weft = await createWebGpuBackend({ gpu });
const adapter = weft.info.device;

function randn(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2;
  }
  return out;
}

const budgetMs = Number(process.env.WEFT_BENCH_MS ?? 1500);
async function time(fn) {
  for (let i = 0; i < 2; i++) await fn();
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 50)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function maxDiff(a, b) {
  let m = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return m / Math.max(s, 1e-30);
}

const rows = [];
async function record(name, runs) {
  const out = {};
  const results = {};
  for (const [lib, run] of Object.entries(runs)) {
    const r = await run();
    results[lib] = r.result;
    out[lib] = r.ms;
  }
  const agree = Math.max(maxDiff(results.ort, results.weft), maxDiff(results.tfjs, results.weft));
  const row = { name, ...out, vsOrt: out.ort / out.weft, vsTfjs: out.tfjs / out.weft, agree };
  rows.push(row);
  console.log(
    `${name.padEnd(40)} weft ${out.weft.toFixed(2).padStart(8)} ms  ort ${out.ort.toFixed(2).padStart(8)} ms  tfjs ${out.tfjs.toFixed(2).padStart(8)} ms  ` +
      `weft× vs ort ${row.vsOrt.toFixed(2)}  vs tfjs ${row.vsTfjs.toFixed(2)}  (max diff ${agree.toExponential(1)})`,
  );
}

// ---------------------------------------------------------------- matmul: y[M,N] = x[M,K] · w[N,K]ᵀ
for (const [M, K, N] of [
  [1, 512, 512],
  [1, 768, 2048],
  [32, 512, 512],
  [128, 256, 256],
  [64, 768, 2048],
]) {
  const x = randn(M * K, 1);
  const w = randn(N * K, 2);
  const wT = new Float32Array(K * N); // [K,N] for ONNX MatMul / tfjs
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wT[k * N + n] = w[n * K + k];
  const wt = weft.fromHost(w, [N, K]);
  const session = await ort.InferenceSession.create(
    onnxModel({
      inputs: [['x', [M, K]]],
      outputs: [['y', [M, N]]],
      initializers: [['w', [K, N], wT]],
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    }),
    { executionProviders: ['webgpu'] },
  );
  const tw = tf.tensor2d(wT, [K, N]);
  await record(`matmul [${M},${K}]·[${K},${N}]`, {
    weft: async () => {
      let result;
      const ms = await time(async () => {
        const y = weft.tidy(() => weft.matmul(weft.fromHost(x, [M, K]), wt));
        result = await weft.read(y);
        y.dispose();
      });
      return { ms, result };
    },
    ort: async () => {
      let result;
      const ms = await time(async () => {
        const out = await session.run({ x: new ort.Tensor('float32', x, [M, K]) });
        result = out.y.data;
      });
      return { ms, result };
    },
    tfjs: async () => {
      let result;
      const ms = await time(async () => {
        const tx = tf.tensor2d(x, [M, K]);
        const y = tf.matMul(tx, tw);
        result = await y.data();
        tx.dispose();
        y.dispose();
      });
      return { ms, result };
    },
  });
  wt.dispose();
  tw.dispose();
  await session.release();
}

// ---------------------------------------------------------------- causal attention, MHA
// peers run the standard composition softmax(q·kᵀ·scale + mask)·v (what an exported model
// without fused attention contains); weft runs Backend.attention (flash / split-K).
for (const [label, T, S, H, D] of [
  ['prefill', 128, 128, 8, 64],
  ['prefill', 256, 256, 8, 64],
  ['decode', 1, 512, 8, 64],
]) {
  const offset = S - T;
  const q = randn(T * H * D, 3); // [T,H,D]
  const k = randn(S * H * D, 4); // [S,H,D]
  const v = randn(S * H * D, 5);
  const scale = 1 / Math.sqrt(D);
  const qh = new Float32Array(H * T * D); // [H,T,D]
  const kT = new Float32Array(H * D * S); // [H,D,S]
  const vh = new Float32Array(H * S * D); // [H,S,D]
  for (let h = 0; h < H; h++)
    for (let d = 0; d < D; d++) {
      for (let t = 0; t < T; t++) qh[(h * T + t) * D + d] = q[(t * H + h) * D + d];
      for (let s = 0; s < S; s++) {
        kT[(h * D + d) * S + s] = k[(s * H + h) * D + d];
        vh[(h * S + s) * D + d] = v[(s * H + h) * D + d];
      }
    }
  const mask = new Float32Array(T * S);
  for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) mask[t * S + s] = s <= offset + t ? 0 : -1e9;
  const kt = weft.fromHost(k, [S, H, D]);
  const vt = weft.fromHost(v, [S, H, D]);
  const session = await ort.InferenceSession.create(
    onnxModel({
      inputs: [['q', [H, T, D]]],
      outputs: [['o', [H, T, D]]],
      initializers: [
        ['kT', [H, D, S], kT],
        ['v', [H, S, D], vh],
        ['mask', [T, S], mask],
        ['scale', [], new Float32Array([scale])],
      ],
      nodes: [
        { op: 'MatMul', inputs: ['q', 'kT'], outputs: ['s'] },
        { op: 'Mul', inputs: ['s', 'scale'], outputs: ['s2'] },
        { op: 'Add', inputs: ['s2', 'mask'], outputs: ['s3'] },
        { op: 'Softmax', inputs: ['s3'], outputs: ['p'], attrs: { axis: { i: 2 } } },
        { op: 'MatMul', inputs: ['p', 'v'], outputs: ['o'] },
      ],
    }),
    { executionProviders: ['webgpu'] },
  );
  const tkT = tf.tensor3d(kT, [H, D, S]);
  const tv = tf.tensor3d(vh, [H, S, D]);
  const tmask = tf.tensor2d(mask, [T, S]);
  // results compared in [H,T,D] order
  const toHead = (o) => {
    const r = new Float32Array(H * T * D);
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) r[(h * T + t) * D + d] = o[(t * H + h) * D + d];
    return r;
  };
  await record(`attention ${label} T=${T} S=${S} H=${H} D=${D}`, {
    weft: async () => {
      let result;
      const ms = await time(async () => {
        const o = weft.tidy(() =>
          weft.attention(weft.fromHost(q, [T, H, D]), kt, vt, { spec: { kind: 'flash' }, queryOffset: offset, kvLength: S }),
        );
        result = toHead(await weft.read(o));
        o.dispose();
      });
      return { ms, result };
    },
    ort: async () => {
      let result;
      const ms = await time(async () => {
        result = (await session.run({ q: new ort.Tensor('float32', qh, [H, T, D]) })).o.data;
      });
      return { ms, result };
    },
    tfjs: async () => {
      let result;
      const ms = await time(async () => {
        const o = tf.tidy(() =>
          tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(tf.tensor3d(qh, [H, T, D]), tkT), scale), tmask)), tv),
        );
        result = await o.data();
        o.dispose();
      });
      return { ms, result };
    },
  });
  kt.dispose();
  vt.dispose();
  tkT.dispose();
  tv.dispose();
  tmask.dispose();
  await session.release();
}

const date = new Date().toISOString().slice(0, 10);
// one results file per adapter family: SwiftShader (the CI adapter) and Mesa lavapipe
const lavapipe = /llvmpipe|lavapipe/i.test(adapter);
const suffix = lavapipe ? '-lavapipe' : '';
const command = `pnpm turbo run build --filter=@weft/webgpu && ${lavapipe ? 'VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json ' : ''}node --liftoff-only bench/webgpu/run.mjs`;
const load = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
writeFileSync(join(here, `results${suffix}.json`), JSON.stringify({ date, adapter, command, load, rows }, null, 2));
const md = [
  `Measured ${date} on \`${adapter}\` (${process.platform}, Node ${process.versions.node}, ${os.cpus().length} cores, load average ${load} at the end); command: \`${command}\`.`,
  '',
  '| shape | weft (ms) | onnxruntime-web WebGPU (ms) | tfjs-backend-webgpu (ms) | weft speed-up vs ort | vs tfjs |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.weft.toFixed(2)} | ${r.ort.toFixed(2)} | ${r.tfjs.toFixed(2)} | ${r.vsOrt.toFixed(2)}× | ${r.vsTfjs.toFixed(2)}× |`,
  ),
].join('\n');
writeFileSync(join(here, `results${suffix}.md`), `${md}\n`);
console.log(`\n${md}`);
weft.dispose();
process.exit(0);
