// Per-token cost of a logits-processor chain: weft vs transformers.js (@huggingface/transformers)
// on the same random logits, at vocabulary sizes 32k and 128k.
//
//   pnpm turbo run build --filter=@weft/decoding
//   node bench/decoding/processors.mjs [--json bench/decoding/results-processors.json]
//
// Chains (same settings on both sides):
//   P  processors only: repetition_penalty 1.1, no_repeat_ngram_size 3, temperature 0.8
//   S  P + top-k 50 + draw one token. transformers.js 4.3.1 applies top-k inside its
//      MultinomialSampler (topk → softmax over k → weighted pick); that class is not exported, so
//      the same three steps are called here through its exported `topk` and `softmax`.
//      (Its TopPLogitsWarper / TopKLogitsWarper have no _call: top-p is not applied at all.)
//   F  weft only: P + frequency/presence penalties + top-k 50 + min-p 0.05 + typical 0.95 +
//      llama2.c top-p 0.9 draw — the full HF-style chain.
// Timing: each case runs warm-up iterations, then 5 rounds of N iterations; the best round's
// mean CPU time (process.cpuUsage, user + system) per token is reported — on a shared machine
// wall time swings 2× between identical runs, CPU time much less. Logits are copied from a pool of 8 random arrays every iteration
// (same copy cost on both sides).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const weft = await import(join(root, 'packages/decoding/dist/index.js'));
// transformers.js is a devDependency of @weft/decoding; load its Node ESM build from there.
const hf = await import(join(root, 'packages/decoding/node_modules/@huggingface/transformers/dist/transformers.node.mjs'));
const { XorShiftRng } = await import(join(root, 'packages/core/dist/index.js'));

const HISTORY = 512;

function randn(n, seed) {
  const rng = new XorShiftRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextNormal() * 3;
  return out;
}

/** CPU milliseconds (user + system) of this process: steadier than wall time on a shared machine. */
function cpuMs() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function bench(fn, n) {
  for (let i = 0; i < Math.min(20, n); i++) fn(i);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, (cpuMs() - t0) / n);
  }
  return best;
}

const rows = [];
let parityChecked = 0;
let parityEqual = 0;
for (const V of [32000, 128256]) {
  const pool = Array.from({ length: 8 }, (_, i) => randn(V, 100 + i));
  const rng = new XorShiftRng(7);
  const history = new Int32Array(HISTORY);
  for (let i = 0; i < HISTORY; i++) history[i] = rng.nextU32() % 2000; // repeats make n-gram bans fire
  const ids = [Array.from(history, (x) => BigInt(x))];
  const ctx = { history, promptLength: 256, step: HISTORY - 256 };
  const n = V > 100000 ? 60 : 150;

  // ── P: processors only ──
  const hfP = new hf.LogitsProcessorList();
  hfP.extend([
    new hf.RepetitionPenaltyLogitsProcessor(1.1),
    new hf.NoRepeatNGramLogitsProcessor(3),
    new hf.TemperatureLogitsWarper(0.8),
  ]);
  const weftP = new weft.ProcessorChain([
    { kind: 'repetition-penalty', penalty: 1.1 },
    { kind: 'no-repeat-ngram', n: 3 },
    { kind: 'temperature', temperature: 0.8 },
  ]);
  const hfBuf = new Float32Array(V);
  const hfTensor = new hf.Tensor('float32', hfBuf, [1, V]);
  const weftBuf = new Float32Array(V);
  // parity of chain P on every pool entry
  for (const src of pool) {
    hfBuf.set(src);
    hfP(ids, hfTensor);
    weftBuf.set(src);
    weftP.process(weftBuf, ctx);
    let same = true;
    for (let i = 0; i < V; i++) {
      const a = hfBuf[i];
      const b = weftBuf[i];
      if (a !== b && !(Math.abs(a - b) <= 1e-6 * Math.abs(a))) {
        same = false;
        break;
      }
    }
    parityChecked++;
    if (same) parityEqual++;
  }
  const tHfP = bench((i) => {
    hfBuf.set(pool[i & 7]);
    hfP(ids, hfTensor);
  }, n);
  const tWeftP = bench((i) => {
    weftBuf.set(pool[i & 7]);
    weftP.process(weftBuf, ctx);
  }, n);

  // ── S: P + top-k 50 + one draw ──
  const sink = [];
  const tHfS = await (async () => {
    const run = async (i) => {
      hfBuf.set(pool[i & 7]);
      hfP(ids, hfTensor);
      const [v, idx] = await hf.topk(hfTensor, 50);
      const probs = hf.softmax(v.data);
      let r = Math.random();
      let pick = probs.length - 1;
      for (let j = 0; j < probs.length; j++) {
        r -= probs[j];
        if (r <= 0) {
          pick = j;
          break;
        }
      }
      sink.push(Number(idx.data[pick]));
    };
    for (let i = 0; i < 20; i++) await run(i);
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      const t0 = cpuMs();
      for (let i = 0; i < n; i++) await run(i);
      best = Math.min(best, (cpuMs() - t0) / n);
    }
    return best;
  })();
  const weftS = new weft.ProcessorChain([...weftP.processors, { kind: 'top-k', k: 50 }]);
  const sampler = new XorShiftRng(1);
  const tWeftS = bench((i) => {
    weftBuf.set(pool[i & 7]);
    weftS.process(weftBuf, ctx);
    sink.push(weft.llama2cSample(weftBuf, 1, 1, sampler));
  }, n);

  // ── F: weft's full chain ──
  const weftF = new weft.ProcessorChain([
    { kind: 'repetition-penalty', penalty: 1.1 },
    { kind: 'frequency-presence-penalty', frequency: 0.2, presence: 0.1 },
    { kind: 'no-repeat-ngram', n: 3 },
    { kind: 'temperature', temperature: 0.8 },
    { kind: 'top-k', k: 50 },
    { kind: 'min-p', p: 0.05 },
    { kind: 'typical', mass: 0.95 },
  ]);
  const tWeftF = bench((i) => {
    weftBuf.set(pool[i & 7]);
    weftF.process(weftBuf, ctx);
    sink.push(weft.llama2cSample(weftBuf, 1, 0.9, sampler));
  }, n);
  // F without top-k: typical/top-p over the whole vocabulary (their worst case)
  const weftF2 = new weft.ProcessorChain(weftF.processors.filter((p) => p.name !== 'top-k'));
  const tWeftF2 = bench(
    (i) => {
      weftBuf.set(pool[i & 7]);
      weftF2.process(weftBuf, ctx);
      sink.push(weft.llama2cSample(weftBuf, 1, 0.9, sampler));
    },
    Math.max(10, n / 5),
  );

  rows.push({ V, chain: 'P: rep-penalty + no-repeat-3gram + temperature', transformersJsMs: tHfP, weftMs: tWeftP });
  rows.push({ V, chain: 'S: P + top-k 50 + draw', transformersJsMs: tHfS, weftMs: tWeftS });
  rows.push({ V, chain: 'F: S + freq/presence + min-p + typical + top-p 0.9', transformersJsMs: null, weftMs: tWeftF });
  rows.push({ V, chain: 'F without top-k (typical + top-p over all V)', transformersJsMs: null, weftMs: tWeftF2 });
}

const f = (x) => (x === null ? 'n/a' : x.toFixed(3));
console.log(`node ${process.version}, ${new Date().toISOString()}, history ${HISTORY} tokens`);
console.log(`chain P parity weft vs transformers.js: ${parityEqual}/${parityChecked} logits arrays equal (≤ 1e-6 relative)`);
console.log('| V | chain | transformers.js CPU ms/token | weft CPU ms/token | transformers.js / weft |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const ratio = r.transformersJsMs === null ? 'n/a' : `${(r.transformersJsMs / r.weftMs).toFixed(2)}×`;
  console.log(`| ${r.V} | ${r.chain} | ${f(r.transformersJsMs)} | ${f(r.weftMs)} | ${ratio} |`);
}
const out = process.argv.indexOf('--json');
if (out > 0) {
  writeFileSync(
    process.argv[out + 1],
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, parity: { equal: parityEqual, checked: parityChecked }, rows }, null, 2)}\n`,
  );
}
