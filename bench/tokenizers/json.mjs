// tokenizer.json encode speed, load time and memory: weft vs HF `tokenizers` (Rust, napi) and
// `@huggingface/tokenizers` (pure JS), on the BERT, Mistral, T5 and GPT-2 pipelines.
//
//   pnpm turbo run build --filter=@weft/tokenizers && node --expose-gc bench/tokenizers/json.mjs [--out bench/tokenizers/json-results.json]
//
// Each (library, tokenizer) runs in its own child process (single thread for the JS side; HF
// napi runs each call on one libuv worker), so load time and memory come from a clean heap.
// Text: war-and-peace.txt (3.2 MB) encoded two ways: the whole text in one call, and
// paragraph by paragraph (one call per blank-line-separated block, awaited in turn).
// Speed = MB per CPU-second (process user+system time), best of 3 timed passes after one
// warm-up pass. Ids are checked against HF napi.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = join(root, 'packages', 'tokenizers');
const require = createRequire(join(pkg, 'package.json'));
const fixtures = process.env.WEFT_FIXTURES ?? join(root, '..', 'shared', 'fixtures');
const textPath = join(fixtures, 'text', 'war-and-peace.txt');
const PIPELINES = {
  bert: 'bert-base-uncased/tokenizer.json',
  mistral: 'mistral-7b-v0.1/tokenizer.json',
  t5: 't5-small/tokenizer.json',
  gpt2: 'gpt2/tokenizer.json',
};
const LIBS = ['weft', 'hf-napi', 'hf-js'];
/** Per (library, tokenizer) child; @huggingface/tokenizers takes minutes on Mistral's whole text (one 3 MB "word"). */
const TIMEOUT_MS = Number(process.env.WEFT_BENCH_TIMEOUT ?? 300_000);

async function load(lib, json) {
  if (lib === 'weft') {
    const { tokenizerFromJSON } = await import(pathToFileURL(join(pkg, 'dist', 'json', 'index.js')).href);
    const t = tokenizerFromJSON(json);
    return { encode: async (s) => t.encode(s, { addSpecialTokens: false }) };
  }
  if (lib === 'hf-napi') {
    const { Tokenizer } = require('tokenizers');
    const t = Tokenizer.fromString(json);
    return { encode: async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds() };
  }
  const { Tokenizer } = require('@huggingface/tokenizers');
  const t = new Tokenizer(JSON.parse(json), {});
  return { encode: async (s) => t.encode(s, { add_special_tokens: false }).ids };
}

async function child(lib, name) {
  const text = readFileSync(textPath, 'utf8');
  const paragraphs = text.split(/\n\n/).filter((p) => p.length > 0);
  const json = readFileSync(join(fixtures, PIPELINES[name]), 'utf8');
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const tok = await load(lib, json);
  const loadMs = performance.now() - t0;
  globalThis.gc?.();
  const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const rssMB = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const mb = Buffer.byteLength(text) / 1e6;
  // CPU time (user + system, all threads of the process: HF napi's worker included) is what we
  // compare: the shared 2-core machine runs ~8 other jobs, so wall time mostly measures them.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const timeIt = async (fn) => {
    // Warm-up pass (fills caches, JIT), then up to 3 timed passes; slow libraries (a pass over
    // 10 s) are timed once.
    let s = cpuMs();
    await fn();
    let best = cpuMs() - s;
    if (best > 10_000) return best;
    best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 3; r++) {
      s = cpuMs();
      await fn();
      best = Math.min(best, cpuMs() - s);
    }
    return best;
  };
  let wholeIds = [];
  const wholeMs = await timeIt(async () => {
    wholeIds = await tok.encode(text);
  });
  let paraCount = 0;
  const paraMs = await timeIt(async () => {
    paraCount = 0;
    for (const p of paragraphs) paraCount += (await tok.encode(p)).length;
  });
  return {
    lib,
    name,
    loadMs,
    heapMB,
    rssMB,
    wholeMBs: mb / (wholeMs / 1000),
    paraMBs: mb / (paraMs / 1000),
    tokens: wholeIds.length,
    paraTokens: paraCount,
    idsHash: hash(wholeIds),
  };
}

function hash(ids) {
  let h = 2166136261;
  for (const id of ids) h = Math.imul(h ^ id, 16777619) >>> 0;
  return h;
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3], process.argv[4]);
  process.stdout.write(JSON.stringify(r));
} else {
  const outIdx = process.argv.indexOf('--out');
  const results = [];
  for (const name of Object.keys(PIPELINES)) {
    for (const lib of LIBS) {
      let r;
      try {
        const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', lib, name], {
          encoding: 'utf8',
          maxBuffer: 1 << 26,
          timeout: TIMEOUT_MS,
        });
        r = JSON.parse(out);
      } catch {
        console.error(`${name.padEnd(8)} ${lib.padEnd(8)} did not finish within ${TIMEOUT_MS / 1000} s`);
        results.push({ lib, name, timeout: true });
        continue;
      }
      results.push(r);
      console.error(
        `${name.padEnd(8)} ${lib.padEnd(8)} load ${r.loadMs.toFixed(0).padStart(5)} ms  heap +${r.heapMB.toFixed(1).padStart(6)} MB  whole ${r.wholeMBs.toFixed(2).padStart(6)} MB/s  paragraphs ${r.paraMBs.toFixed(2).padStart(6)} MB/s  tokens ${r.tokens}`,
      );
    }
  }
  const lines = [
    '| pipeline | library | load ms | heap MB | whole text MB/s | per paragraph MB/s | tokens | same ids as HF napi |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if (r.timeout) {
      lines.push(`| ${r.name} | ${r.lib} | – | – | – | timeout (> ${TIMEOUT_MS / 1000} s for warm-up + passes) | – | – | – |`);
      continue;
    }
    const ref = results.find((x) => x.name === r.name && x.lib === 'hf-napi');
    lines.push(
      `| ${r.name} | ${r.lib} | ${r.loadMs.toFixed(0)} | ${r.heapMB.toFixed(1)} | ${r.wholeMBs.toFixed(2)} | ${r.paraMBs.toFixed(2)} | ${r.tokens} | ${r.idsHash === ref.idsHash && r.tokens === ref.tokens ? 'yes' : 'NO'} |`,
    );
  }
  lines.push(
    '',
    '| pipeline | weft ÷ HF napi (whole) | weft ÷ HF napi (paragraphs) | weft ÷ HF JS (whole) | weft ÷ HF JS (paragraphs) |',
    '|---|---|---|---|---|',
  );
  for (const name of Object.keys(PIPELINES)) {
    const get = (lib) => results.find((x) => x.name === name && x.lib === lib);
    const ratio = (a, b, k) => (a && b && !a.timeout && !b.timeout ? `${(a[k] / b[k]).toFixed(1)}×` : '–');
    const w = get('weft');
    const n = get('hf-napi');
    const j = get('hf-js');
    lines.push(
      `| ${name} | ${ratio(w, n, 'wholeMBs')} | ${ratio(w, n, 'paraMBs')} | ${ratio(w, j, 'wholeMBs')} | ${ratio(w, j, 'paraMBs')} |`,
    );
  }
  console.log(lines.join('\n'));
  if (outIdx > 0)
    writeFileSync(
      process.argv[outIdx + 1],
      JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2),
    );
}
