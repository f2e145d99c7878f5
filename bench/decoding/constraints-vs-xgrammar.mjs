// weft constraints vs @mlc-ai/web-xgrammar (the engine web-llm uses) on the Llama-2 vocabulary
// (V = 32000): schema compile time and per-token mask cost along the same token path.
// Run: pnpm turbo run build --filter=@weft/decoding && node bench/decoding/constraints-vs-xgrammar.mjs [--json out.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compileConstraint,
  createConstraintProcessor,
  TokenConstraint,
  TokenVocabulary,
} from '../../packages/decoding/dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = process.env.WEFT_FIXTURES ?? join(root, '..', 'shared', 'fixtures');

// web-xgrammar is a UMD bundle whose Emscripten loader expects CommonJS globals in Node.
const require = createRequire(join(root, 'packages', 'decoding', 'package.json'));
const entry = require.resolve('@mlc-ai/web-xgrammar');
globalThis.require = require;
globalThis.__filename = entry;
globalThis.__dirname = dirname(entry);
await import(entry);
const xgr = globalThis.xgrammar;

/** llama2.c tokenizer.bin → raw byte pieces. */
function readPieces(path) {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = [];
  for (let o = 4; o < buf.length; ) {
    const len = dv.getInt32(o + 4, true);
    out.push(new Uint8Array(buf.subarray(o + 8, o + 8 + len)));
    o += 8 + len;
  }
  return out;
}

const raw = readPieces(join(fixtures, 'llama2', 'tokenizer.bin'));
const V = raw.length;
const latin1 = (b) => Buffer.from(b).toString('latin1');
const ours = raw.map((b, id) => {
  if (id < 3) return undefined;
  const m = /^<0x([0-9A-F]{2})>$/.exec(latin1(b));
  return m ? Uint8Array.of(Number.parseInt(m[1], 16)) : b;
});
// SentencePiece spelling for xgrammar's byte_fallback decoder: ▁ for space, <0xHH> kept.
const spm = raw.map((b, id) =>
  id === 0 ? '<unk>' : id === 1 ? '<s>' : id === 2 ? '</s>' : new TextDecoder().decode(b).replaceAll(' ', '\u2581'),
);

const SCHEMAS = {
  person: {
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 20 },
        age: { type: 'integer' },
        email: { type: 'string', pattern: '^[a-z]+@[a-z]+\\.(com|org)$' },
        tags: { type: 'array', items: { enum: ['red', 'green', 'blue'] }, maxItems: 5 },
        happy: { type: 'boolean' },
      },
      required: ['name', 'age', 'email', 'tags', 'happy'],
    },
    text: '{"name":"Lily Smith","age":7,"email":"lily@park.org","tags":["red","blue"],"happy":true}',
  },
  points: {
    schema: {
      type: 'array',
      items: {
        type: 'object',
        properties: { x: { type: 'integer' }, y: { type: 'integer' }, label: { type: 'string' } },
        required: ['x', 'y', 'label'],
      },
      maxItems: 10,
    },
    text: '[{"x":1,"y":-20,"label":"start"},{"x":305,"y":4,"label":"a long label with words in it"},{"x":0,"y":0,"label":"end"}]',
  },
};

/** Best batch mean over `minMs` of batches (≥ 5 ms each): robust to other load on the machine. */
function time(fn, minMs = 300) {
  let best = Number.POSITIVE_INFINITY;
  const t0 = performance.now();
  do {
    let n = 0;
    const b0 = performance.now();
    let t = b0;
    do {
      fn();
      n++;
      t = performance.now();
    } while (t - b0 < 5);
    best = Math.min(best, (t - b0) / n);
  } while (performance.now() - t0 < minMs);
  return best;
}
async function timeAsync(fn, minMs = 300) {
  let best = Number.POSITIVE_INFINITY;
  const t0 = performance.now();
  do {
    let n = 0;
    const b0 = performance.now();
    let t = b0;
    do {
      await fn();
      n++;
      t = performance.now();
    } while (t - b0 < 5);
    best = Math.min(best, (t - b0) / n);
  } while (performance.now() - t0 < minMs);
  return best;
}

/** Greedy longest-token path spelling `text` that the constraint allows at every step. */
function tokenPath(c, text) {
  const target = new TextEncoder().encode(text);
  const ids = [];
  let s = c.start;
  let pos = 0;
  while (pos < target.length) {
    let best = -1;
    let bestLen = 0;
    for (const id of c.allowedTokens(s)) {
      const b = c.vocab.tokenBytes(id);
      if (b.length <= bestLen || pos + b.length > target.length) continue;
      let ok = true;
      for (let k = 0; k < b.length && ok; k++) ok = b[k] === target[pos + k];
      if (ok) {
        best = id;
        bestLen = b.length;
      }
    }
    if (best < 0) throw new Error(`no token continues at byte ${pos} of ${text}`);
    ids.push(best);
    s = c.advance(s, best);
    pos += bestLen;
  }
  if (!c.canEnd(s)) throw new Error('path does not end in an accepting state');
  return ids;
}

const vocabMs = time(
  () => new TokenConstraint(compileConstraint({ kind: 'regex', pattern: 'a' }), TokenVocabulary.fromBytes(ours, [2])),
  500,
);
const vocab = TokenVocabulary.fromBytes(ours, [2]);
const t0 = performance.now();
const info = await xgr.TokenizerInfo.createTokenizerInfo(spm, 'byte_fallback', true, V, [2]);
const compiler = await xgr.GrammarCompiler.createGrammarCompiler(info, false);
const xgrSetupMs = performance.now() - t0;

const rows = [];
for (const [name, { schema, text }] of Object.entries(SCHEMAS)) {
  const spec = { kind: 'json-schema', schema };
  const json = JSON.stringify(schema);
  const oursCompileMs = time(() => new TokenConstraint(compileConstraint(spec), vocab), 300);
  // Like xgrammar, which does its token work at compile time: compile + every state's mask.
  const oursPrecomputeMs = time(() => new TokenConstraint(compileConstraint(spec), vocab).precompute(), 300);
  const xgrCompileMs = await timeAsync(
    async () => (await compiler.compileJSONSchema(json, false, -1, [',', ':'], true)).dispose(),
    300,
  );

  const dfa = compileConstraint(spec);
  const path = tokenPath(new TokenConstraint(dfa, vocab), text);
  const logits = new Float32Array(V);
  const history = new Int32Array(path.length + 1);
  history[0] = 1;

  // weft: masks applied to logits through the processor, cold (fresh constraint) and warm.
  const run = (c) => {
    const p = createConstraintProcessor(c);
    for (let i = 0; i <= path.length; i++) {
      logits.fill(0);
      p.process(logits, { history: history.subarray(0, i + 1), promptLength: 1, step: i });
      if (i < path.length) history[i + 1] = path[i];
      if (i < path.length && logits[path[i]] === Number.NEGATIVE_INFINITY) throw new Error('weft masked the path');
    }
  };
  let oursColdMs = Number.POSITIVE_INFINITY; // best of 5 first runs, each on a fresh constraint
  for (let r = 0; r < 5; r++) {
    const fresh = new TokenConstraint(dfa, vocab);
    const start = performance.now();
    run(fresh);
    oursColdMs = Math.min(oursColdMs, (performance.now() - start) / (path.length + 1));
  }
  const warm = new TokenConstraint(dfa, vocab);
  run(warm);
  const oursWarmMs = time(() => run(warm)) / (path.length + 1);

  // xgrammar: bitmask per step, applied to logits the same way, then acceptToken.
  const xrun = async (compiled) => {
    const m = await xgr.GrammarMatcher.createGrammarMatcher(compiled);
    for (let i = 0; i <= path.length; i++) {
      logits.fill(0);
      const mask = await m.getNextTokenBitmask();
      for (let id = 0; id < V; id++) if (((mask[id >>> 5] >>> (id & 31)) & 1) === 0) logits[id] = Number.NEGATIVE_INFINITY;
      if (i < path.length) {
        if (logits[path[i]] === Number.NEGATIVE_INFINITY || !m.acceptToken(path[i]))
          throw new Error(`xgrammar rejects token ${i} of ${name}`);
      } else if (logits[2] === Number.NEGATIVE_INFINITY) throw new Error('xgrammar does not allow EOS at the end');
    }
    m.dispose();
  };
  let xgrFirstMs = Number.POSITIVE_INFINITY; // first pass over a freshly compiled grammar, best of 5
  for (let r = 0; r < 5; r++) {
    const fresh = await compiler.compileJSONSchema(json, false, -1, [',', ':'], true);
    const start = performance.now();
    await xrun(fresh);
    xgrFirstMs = Math.min(xgrFirstMs, (performance.now() - start) / (path.length + 1));
    fresh.dispose();
  }
  const compiled = await compiler.compileJSONSchema(json, false, -1, [',', ':'], true);
  await xrun(compiled);
  const xgrStepMs = (await timeAsync(() => xrun(compiled))) / (path.length + 1);
  compiled.dispose();
  rows.push({
    schema: name,
    tokens: path.length,
    oursCompileMs,
    oursPrecomputeMs,
    xgrCompileMs,
    oursColdMs,
    oursWarmMs,
    xgrFirstMs,
    xgrStepMs,
  });
}

const f = (x) => (x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
console.log(`node ${process.version}, ${new Date().toISOString()}, V=${V} (Llama-2 tokenizer.bin)`);
console.log(
  `one-time per vocabulary: weft ${f(vocabMs)} ms (byte strings + trie), xgrammar ${f(xgrSetupMs)} ms (TokenizerInfo + GrammarCompiler)`,
);
console.log(
  '| schema | path tokens | weft compile ms | weft compile + precompute ms | xgrammar compile ms | xgrammar ÷ weft compile + precompute | weft ms/token cold | weft ms/token warm | xgrammar ms/token first | xgrammar ms/token | warm step ratio |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.schema} | ${r.tokens} | ${f(r.oursCompileMs)} | ${f(r.oursPrecomputeMs)} | ${f(r.xgrCompileMs)} | ${(r.xgrCompileMs / r.oursPrecomputeMs).toFixed(1)}× | ${f(r.oursColdMs)} | ${f(r.oursWarmMs)} | ${f(r.xgrFirstMs)} | ${f(r.xgrStepMs)} | ${(r.xgrStepMs / r.oursWarmMs).toFixed(1)}× |`,
  );
}
const out = process.argv.indexOf('--json');
if (out > 0)
  writeFileSync(
    process.argv[out + 1],
    JSON.stringify({ date: new Date().toISOString(), node: process.version, vocabMs, xgrSetupMs, rows }, null, 2),
  );
