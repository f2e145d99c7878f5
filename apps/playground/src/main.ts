import type { GenerateRequest, WorkerMessage } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const out = $<HTMLDivElement>('out');
const status = $<HTMLSpanElement>('status');
const tokensEl = $<HTMLDivElement>('tokens');
const generateBtn = $<HTMLButtonElement>('generate');
const stopBtn = $<HTMLButtonElement>('stop');
const canvas = $<HTMLCanvasElement>('heatmap');
let attention: { probs: Float32Array; shape: readonly [number, number, number] } | undefined;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

const COLORS = ['#fde2e4', '#e2ece9', '#dfe7fd', '#fff1c1', '#e8dff5', '#d4f0f0'];

function drawHeatmap(): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || !attention) return;
  const [H, T, S] = attention.shape;
  const head = Math.min(H - 1, Math.max(0, Number($<HTMLInputElement>('head').value) || 0));
  const cell = Math.max(1, Math.floor(canvas.width / Math.max(T, S)));
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (let t = 0; t < T; t++)
    for (let s = 0; s < S; s++) {
      const p = attention.probs[(head * T + t) * S + s]!;
      const shade = Math.round(255 * (1 - Math.sqrt(p)));
      ctx.fillStyle = `rgb(${shade},${shade},255)`;
      ctx.fillRect(s * cell, t * cell, cell, cell);
    }
}

worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      status.textContent = `ready (${m.backend})`;
      generateBtn.disabled = false;
      document.body.dataset.state = 'ready';
      break;
    case 'text':
      out.textContent += m.text;
      break;
    case 'tokens':
      tokensEl.replaceChildren(
        ...m.pieces.map((p, i) => {
          const span = document.createElement('span');
          span.textContent = p;
          span.style.background = COLORS[i % COLORS.length]!;
          span.title = `token ${i}`;
          return span;
        }),
      );
      break;
    case 'attention':
      attention = { probs: m.probs, shape: m.shape };
      drawHeatmap();
      break;
    case 'done':
      status.textContent = `${m.tokens} tokens, ${(m.tokens / Math.max(m.seconds, 1e-9)).toFixed(0)} tok/s`;
      generateBtn.disabled = false;
      stopBtn.disabled = true;
      document.body.dataset.state = 'done';
      break;
    case 'error':
      status.textContent = `error: ${m.message}`;
      generateBtn.disabled = false;
      stopBtn.disabled = true;
      document.body.dataset.state = 'error';
      break;
  }
};

generateBtn.disabled = true;
generateBtn.onclick = () => {
  out.textContent = '';
  tokensEl.replaceChildren();
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  const req: GenerateRequest = {
    type: 'generate',
    prompt: $<HTMLTextAreaElement>('prompt').value,
    temperature: num('temperature'),
    topP: num('topP'),
    seed: num('seed'),
    maxTokens: num('maxTokens'),
    attention: $<HTMLSelectElement>('attention').value as 'full' | 'flash',
  };
  generateBtn.disabled = true;
  stopBtn.disabled = false;
  status.textContent = 'generating…';
  document.body.dataset.state = 'generating';
  worker.postMessage(req);
};
stopBtn.onclick = () => worker.postMessage({ type: 'stop' });
$<HTMLInputElement>('head').oninput = drawHeatmap;
