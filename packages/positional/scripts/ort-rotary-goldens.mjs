// Golden RoPE outputs from a peer: onnxruntime-web's com.microsoft RotaryEmbedding operator
// (wasm CPU), run on seeded inputs. Writes ../test/goldens/ort-rotary.json, which
// test/ort-rotary.test.ts compares with weft's applyRope / applyRopeReference.
// Usage (from the repo root): node packages/positional/scripts/ort-rotary-goldens.mjs
// onnxruntime-web is a dependency of @weft/webgpu, so it is resolved from there.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ort = await import(
  createRequire(fileURLToPath(new URL('../../webgpu/package.json', import.meta.url))).resolve('onnxruntime-web')
);
ort.env.wasm.numThreads = 1;

// --- a minimal protobuf writer for the few ONNX messages needed ---------------------------
const varint = (n) => {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, b) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field, s) => bytes(field, [...Buffer.from(s, 'utf8')]);
const msg = (field, parts) => bytes(field, parts.flat());

const FLOAT = 1;
const INT64 = 7;
const valueInfo = (field, name, elemType, dims) =>
  msg(field, [
    str(1, name),
    msg(2, [
      msg(1, [
        int(1, elemType),
        msg(
          2,
          dims.map((d) => msg(1, [int(1, d)])),
        ),
      ]),
    ]),
  ]);
const intAttr = (name, v) => msg(5, [str(1, name), int(3, v), int(20, 2)]);

function rotaryModel(T, H, D, R, P, interleaved) {
  const node = msg(1, [
    str(1, 'x'),
    str(1, 'pos'),
    str(1, 'cos'),
    str(1, 'sin'),
    str(2, 'y'),
    str(3, 'rope'),
    str(4, 'RotaryEmbedding'),
    str(7, 'com.microsoft'),
    intAttr('interleaved', interleaved ? 1 : 0),
    intAttr('num_heads', H),
    intAttr('rotary_embedding_dim', R),
  ]);
  const graph = msg(7, [
    node,
    str(2, 'g'),
    valueInfo(11, 'x', FLOAT, [1, T, H * D]),
    valueInfo(11, 'pos', INT64, [1, T]),
    valueInfo(11, 'cos', FLOAT, [P, R / 2]),
    valueInfo(11, 'sin', FLOAT, [P, R / 2]),
    valueInfo(12, 'y', FLOAT, [1, T, H * D]),
  ]);
  return Uint8Array.from([
    ...int(1, 8),
    ...msg(8, [str(1, ''), int(2, 17)]),
    ...msg(8, [str(1, 'com.microsoft'), int(2, 1)]),
    ...graph,
  ]);
}

// --- seeded inputs (xorshift32; the values only need to be reproducible via the JSON) -------
let state = 0x2545f491;
const uniform = () => {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 2 ** 32 - 0.5;
};

const cases = [];
for (const [base, T, H, D, R, offset] of [
  [10000, 5, 2, 8, 8, 0],
  [10000, 4, 3, 16, 8, 7],
  [500000, 3, 2, 32, 32, 1000],
  [1e6, 6, 1, 12, 4, 42],
]) {
  for (const interleaved of [true, false]) {
    const P = offset + T;
    const cos = new Float32Array(P * (R / 2));
    const sin = new Float32Array(P * (R / 2));
    for (let p = 0; p < P; p++)
      for (let i = 0; i < R / 2; i++) {
        const angle = p * base ** (-(2 * i) / R); // float64 angle, rounded once when stored
        cos[p * (R / 2) + i] = Math.cos(angle);
        sin[p * (R / 2) + i] = Math.sin(angle);
      }
    const x = Float32Array.from({ length: T * H * D }, uniform);
    const pos = BigInt64Array.from({ length: T }, (_, t) => BigInt(offset + t));
    const session = await ort.InferenceSession.create(rotaryModel(T, H, D, R, P, interleaved));
    const out = await session.run({
      x: new ort.Tensor('float32', x, [1, T, H * D]),
      pos: new ort.Tensor('int64', pos, [1, T]),
      cos: new ort.Tensor('float32', cos, [P, R / 2]),
      sin: new ort.Tensor('float32', sin, [P, R / 2]),
    });
    cases.push({
      base,
      T,
      H,
      D,
      rotaryDim: R,
      offset,
      layout: interleaved ? 'pairs' : 'halves',
      x: Array.from(x),
      y: Array.from(out.y.data),
    });
    await session.release();
  }
}
const target = fileURLToPath(new URL('../test/goldens/ort-rotary.json', import.meta.url));
writeFileSync(
  target,
  `${JSON.stringify({ source: `onnxruntime-web ${ort.env.versions.web} com.microsoft RotaryEmbedding (wasm)`, cases }, null, 0)}\n`,
);
console.log(`wrote ${cases.length} cases to ${target}`);
