/**
 * A hand-encoded ONNX model with one MatMul node: Y[M,N] = A[M,K] · B[K,N], B an initializer
 * (resident weights, as in an exported transformer). Only the protobuf fields ONNX needs are
 * written (field numbers from onnx.proto).
 */

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

/** A length-delimited field (wire type 2). */
function bytesField(field, payload) {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return concat([Uint8Array.from(varint((field << 3) | 2)), Uint8Array.from(varint(body.length)), body]);
}

/** A varint field (wire type 0). */
function intField(field, value) {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function valueInfo(name, dims) {
  const shape = concat(dims.map((d) => bytesField(1, intField(1, d)))); // TensorShapeProto.dim{dim_value}
  const tensorType = concat([intField(1, 1), bytesField(2, shape)]); // elem_type FLOAT, shape
  return concat([bytesField(1, name), bytesField(2, bytesField(1, tensorType))]); // name, type{tensor_type}
}

/**
 * ONNX bytes for `Y = A · B` with B [K,N] f32 given (row-major) as an initializer.
 * @param {number} M
 * @param {number} K
 * @param {number} N
 * @param {Float32Array} b  [K,N]
 */
export function matmulModel(M, K, N, b) {
  const node = concat([bytesField(1, 'A'), bytesField(1, 'B'), bytesField(2, 'Y'), bytesField(4, 'MatMul')]);
  const init = concat([
    intField(1, K),
    intField(1, N),
    intField(2, 1),
    bytesField(8, 'B'),
    bytesField(9, new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
  ]);
  const graph = concat([
    bytesField(1, node),
    bytesField(2, 'matmul'),
    bytesField(5, init),
    bytesField(11, valueInfo('A', [M, K])),
    bytesField(12, valueInfo('Y', [M, N])),
  ]);
  const opset = concat([bytesField(1, ''), intField(2, 13)]);
  return concat([intField(1, 8), bytesField(8, opset), bytesField(7, graph)]);
}
