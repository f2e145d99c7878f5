// Runs the backend conformance suite on WebGPU inside the browser; the result lands in
// window.__weft (read by conformance-browser.test.ts through playwright-core).
import { attendReference } from '@weft/attention';
import { conformanceCases } from '@weft/conformance';
import { applyRopeReference } from '@weft/positional';
import { createWebGpuBackend } from '@weft/webgpu';

const log = (s) => {
  document.getElementById('log').textContent += `${s}\n`;
};

async function run() {
  const seed = Number(new URLSearchParams(location.search).get('seed') ?? Date.now() % 2 ** 31);
  const backend = await createWebGpuBackend();
  const refs = { attention: attendReference, rope: applyRopeReference };
  const results = [];
  for (const c of conformanceCases()) {
    let r;
    try {
      r = await c.run(backend, refs, seed);
    } catch (e) {
      r = { ok: false, message: `${e?.name}: ${e?.message}` };
    }
    results.push({ name: c.name, ok: r.ok, message: r.message });
    if (!r.ok) log(`FAIL ${c.name}: ${r.message}`);
  }
  return { device: backend.info.device, f16: backend.info.f16, seed, results };
}

run().then(
  (r) => {
    window.__weft = r;
  },
  (e) => {
    window.__weft = { error: `${e?.name}: ${e?.message}` };
  },
);
