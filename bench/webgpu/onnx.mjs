// Minimal ONNX (protobuf) writer for benchmark graphs: enough of onnx.proto to describe
// float tensors, graph inputs/outputs, initializers and nodes with int/float attributes.
// Field numbers follow onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ...).

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const f32 = (field, x) => [...key(field, 5), ...new Uint8Array(new Float32Array([x]).buffer)];

const FLOAT = 1;

function valueInfo(name, shape) {
  const dims = shape.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, dims)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

function initializer(name, shape, data) {
  return [
    ...shape.flatMap((d) => int(1, d)),
    ...int(2, FLOAT),
    ...str(8, name),
    ...bytes(9, [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]),
  ];
}

function attribute(name, value) {
  // AttributeProto: name(1), f(2), i(3), type(20): FLOAT=1, INT=2
  return Number.isInteger(value.i)
    ? [...str(1, name), ...int(3, value.i), ...int(20, 2)]
    : [...str(1, name), ...f32(2, value.f), ...int(20, 1)];
}

/** node: { op, inputs, outputs, attrs?: { name: {i}|{f} } } */
function node(n) {
  return [
    ...n.inputs.flatMap((i) => str(1, i)),
    ...n.outputs.flatMap((o) => str(2, o)),
    ...str(4, n.op),
    ...Object.entries(n.attrs ?? {}).flatMap(([k, v]) => bytes(5, attribute(k, v))),
  ];
}

/**
 * Builds a model: { inputs: [[name, shape]], outputs: [[name, shape]], initializers: [[name, shape, Float32Array]], nodes }.
 * Returns the serialized ModelProto bytes (opset 17).
 */
export function onnxModel(g) {
  const graph = [
    ...g.nodes.flatMap((n) => bytes(1, node(n))),
    ...str(2, 'bench'),
    ...g.initializers.flatMap(([name, shape, data]) => bytes(5, initializer(name, shape, data))),
    ...g.inputs.flatMap(([name, shape]) => bytes(11, valueInfo(name, shape))),
    ...g.outputs.flatMap(([name, shape]) => bytes(12, valueInfo(name, shape))),
  ];
  const model = [...int(1, 8), ...str(2, 'weft-bench'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 17)])];
  return new Uint8Array(model);
}
