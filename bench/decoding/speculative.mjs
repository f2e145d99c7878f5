// Tokens per second of greedy decoding vs speculative decoding with prompt-lookup drafts on
// llama2.c's stories260K (CPU backend), and a check that both produce identical tokens.
//
//   pnpm turbo run build --filter=@weft/decoding --filter=@weft/models --filter=@weft/tokenizers
//   node bench/decoding/speculative.mjs [--json bench/decoding/results-speculative.json]
//
// Each configuration generates `TOKENS` tokens (EOS ignored) after each prompt; the time includes
// the prompt pass. Time is this process's CPU time (process.cpuUsage, user + system), best of 5
// rounds per prompt: on a shared machine wall time swings 2× between identical runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { streamTokens } = await import(join(root, 'packages/decoding/dist/index.js'));
const { loadLlama2c } = await import(join(root, 'packages/models/dist/index.js'));
const { loadLlama2cTokenizer } = await import(join(root, 'packages/tokenizers/dist/index.js'));

const model = loadLlama2c(readFileSync(join(root, 'models/stories260K.bin')));
const tok = loadLlama2cTokenizer(readFileSync(join(root, 'models/tok512.bin')), 'tok512.bin', 512);
const TOKENS = 300;
const prompts = [
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.',
  'Tom had a red ball. Tom liked the red ball. One day, Tom lost the red ball.',
  'Once upon a time',
];

function cpuMs() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

async function run(prompt, options) {
  const stats = { steps: 0, drafted: 0, accepted: 0 };
  const ids = tok.encode(prompt);
  const out = [];
  const t0 = cpuMs();
  for await (const t of streamTokens(model, ids, { maxNewTokens: TOKENS, eosTokenId: [], ...options }, stats)) out.push(t);
  return { ms: cpuMs() - t0, out, stats };
}

const { argmax } = await import(join(root, 'packages/decoding/dist/index.js'));

/** The floor: forward + argmax by hand, no decoding library in the loop. */
async function rawGreedy(prompt) {
  const ids = tok.encode(prompt);
  const out = [];
  const t0 = cpuMs();
  const cache = model.createCache();
  let logits = await model.forward(ids, cache);
  for (let i = 0; i < TOKENS; i++) {
    const t = argmax(logits);
    out.push(t);
    if (i + 1 < TOKENS) logits = await model.forward([t], cache);
  }
  cache.dispose();
  return { ms: cpuMs() - t0, out, stats: { steps: 0, drafted: 0, accepted: 0 } };
}

const configs = [
  { name: 'greedy', options: {} },
  { name: 'raw forward + argmax loop (no library)', raw: true },
  { name: 'prompt lookup, 3 draft tokens', options: { promptLookupNumTokens: 3 } },
  { name: 'prompt lookup, 5 draft tokens', options: { promptLookupNumTokens: 5 } },
  { name: 'prompt lookup, 10 draft tokens', options: { promptLookupNumTokens: 10 } },
  {
    name: 'prompt lookup, 3 draft tokens, heuristic schedule',
    options: { promptLookupNumTokens: 3, numAssistantTokensSchedule: 'heuristic' },
  },
];
const rows = [];
let identical = 0;
let compared = 0;
for (const c of configs) {
  let ms = 0;
  let tokens = 0;
  let steps = 0;
  let drafted = 0;
  let accepted = 0;
  for (const [pi, prompt] of prompts.entries()) {
    let best;
    for (let round = 0; round < 5; round++) {
      const r = c.raw ? await rawGreedy(prompt) : await run(prompt, c.options);
      if (!best || r.ms < best.ms) best = r;
    }
    ms += best.ms;
    tokens += best.out.length;
    steps += best.stats.steps;
    drafted += best.stats.drafted;
    accepted += best.stats.accepted;
    if (c.name !== 'greedy' && !c.raw) {
      compared++;
      const greedy = rows[0].outputs[pi];
      if (greedy.length === best.out.length && greedy.every((t, i) => t === best.out[i])) identical++;
    }
    (c.outputs ??= []).push(best.out);
  }
  rows.push({ name: c.name, tokens, ms, tokPerSec: (tokens / ms) * 1000, steps, drafted, accepted, outputs: c.outputs });
}

console.log(`node ${process.version}, ${new Date().toISOString()}, stories260K, ${prompts.length} prompts × ${TOKENS} tokens`);
console.log(`speculative output identical to greedy: ${identical}/${compared}`);
console.log('| configuration | tokens per CPU second | speed-up vs greedy | target passes | drafted | accepted (rate) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const rate = r.drafted ? ` (${((100 * r.accepted) / r.drafted).toFixed(0)}%)` : '';
  console.log(
    `| ${r.name} | ${r.tokPerSec.toFixed(0)} | ${(r.tokPerSec / rows[0].tokPerSec).toFixed(2)}× | ${r.steps || r.tokens} | ${r.drafted} | ${r.accepted}${rate} |`,
  );
}
const out = process.argv.indexOf('--json');
if (out > 0) {
  writeFileSync(
    process.argv[out + 1],
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, identical: { identical, compared }, rows: rows.map(({ outputs, ...r }) => r) }, null, 2)}\n`,
  );
}
