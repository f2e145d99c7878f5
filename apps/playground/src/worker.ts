/// <reference lib="webworker" />
import { generateTokens } from '@weft/decoding';
import { type LlamaModel, loadLlama2c } from '@weft/models';
import { type Llama2cTokenizer, loadLlama2cTokenizer } from '@weft/tokenizers';
import type { GenerateRequest, WorkerMessage } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;
const post = (m: WorkerMessage, transfer: Transferable[] = []) => self.postMessage(m, transfer);

let modelBytes: Uint8Array | undefined;
let tokenizer: Llama2cTokenizer | undefined;
let abort: AbortController | undefined;

async function init(): Promise<void> {
  // The model files sit at the site root (vite's publicDir); the worker lives in assets/.
  const base = new URL(/* @vite-ignore */ '../', import.meta.url);
  const [m, t] = await Promise.all([fetch(new URL('stories260K.bin', base)), fetch(new URL('tok512.bin', base))]);
  modelBytes = new Uint8Array(await m.arrayBuffer());
  tokenizer = loadLlama2cTokenizer(new Uint8Array(await t.arrayBuffer()), 'tok512.bin', 512);
  post({ type: 'ready', backend: 'cpu' });
}

async function generate(req: GenerateRequest): Promise<void> {
  if (!modelBytes || !tokenizer) throw new Error('model not loaded yet');
  const model: LlamaModel = loadLlama2c(modelBytes, {
    fileName: 'stories260K.bin',
    attention: { kind: req.attention, mask: { kind: 'causal' } },
  });
  const ids = tokenizer.encode(req.prompt);
  const stream = tokenizer.createStreamDecoder();
  let text = '';
  for (const id of ids) text += stream.push(id);
  post({ type: 'text', text });
  const generated: number[] = [];
  abort = new AbortController();
  const started = performance.now();
  try {
    for await (const id of generateTokens(model, ids, {
      maxNewTokens: Math.min(req.maxTokens, model.config.contextLength - ids.length),
      temperature: req.temperature,
      topP: req.topP,
      seed: req.seed,
      signal: abort.signal,
      stopTokenIds: [1, 2],
    })) {
      if (id === 1 || id === 2) break;
      generated.push(id);
      const piece = stream.push(id);
      if (piece) post({ type: 'text', text: piece });
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  }
  const tail = stream.flush();
  if (tail) post({ type: 'text', text: tail });
  const seconds = (performance.now() - started) / 1000;
  const all = [...ids, ...generated];
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  post({
    type: 'tokens',
    pieces: all.map((id, i) => (id === 1 ? '<s>' : utf8.decode(tokenizer!.pieceBytes(i > 0 ? all[i - 1]! : -1, id)))),
  });
  // Attention of the last layer over the whole sequence (one prefill pass with capture on).
  const last = model.config.layers - 1;
  await model.forward(all.slice(0, 64), model.createCache(), {
    captureAttention: (layer, probs, shape) => {
      if (layer === last) post({ type: 'attention', probs: probs.slice(), shape: [...shape] as [number, number, number] });
    },
  });
  post({ type: 'done', tokens: generated.length, seconds });
  model.dispose();
}

self.onmessage = (e: MessageEvent<GenerateRequest | { type: 'stop' }>) => {
  if (e.data.type === 'stop') {
    abort?.abort();
    return;
  }
  generate(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};

init().catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
