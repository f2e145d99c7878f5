import { Params, type Runtime } from '../runtime.js';
import { grid, LINEAR_WG, type Precision, prelude } from './common.js';

/**
 * Elementwise ops, computed in f32 over activations stored as `act` (f32 or f16). Binary ops
 * broadcast b (length nb) over a: out[i] = a[i] ∘ b[i % nb].
 */
export type UnaryOp = 'gelu';
export type BinaryOp = 'add' | 'mul' | 'swiglu';

const BINARY: Record<BinaryOp, string> = {
  add: 'x + y',
  mul: 'x * y',
  // silu(gate) · up; x = gate, y = up
  swiglu: '(x / (1.0 + exp(-x))) * y',
};

const UNARY: Record<UnaryOp, string> = {
  // tanh approximation; tanh written via exp to stay accurate for large |u| on every driver
  gelu: '0.5 * x * (1.0 + tanh_(0.7978845608028654 * (x + 0.044715 * x * x * x)))',
};

const TANH = 'fn tanh_(u: f32) -> f32 { let c = clamp(u, -15.0, 15.0); let e = exp(2.0 * c); return (e - 1.0) / (e + 1.0); }';

export function binaryWgsl(op: BinaryOp, precision: Precision = 'f32'): string {
  return `${prelude(precision)}struct P { n: u32, nb: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<act>;
@group(0) @binding(2) var<storage, read> b: array<act>;
@group(0) @binding(3) var<storage, read_write> out: array<act>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${LINEAR_WG} * 256u + li;
  if (i >= p.n) { return; }
  let x = f32(a[i]);
  let y = f32(b[i % p.nb]);
  out[i] = act(${BINARY[op]});
}`;
}

export function unaryWgsl(op: UnaryOp, precision: Precision = 'f32'): string {
  return `${prelude(precision)}struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<act>;
@group(0) @binding(2) var<storage, read_write> out: array<act>;
${TANH}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${LINEAR_WG} * 256u + li;
  if (i >= p.n) { return; }
  let x = f32(a[i]);
  out[i] = act(${UNARY[op]});
}`;
}

export function runBinary(rt: Runtime, op: BinaryOp, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, n: number, nb: number): void {
  const p = new Params(2);
  p.u[0] = n;
  p.u[1] = nb;
  rt.dispatch(
    rt.pipelines.get(`binary:${op}`, () => binaryWgsl(op, rt.precision)),
    p,
    [a, b, out],
    grid(Math.ceil(n / 256)),
  );
}

export function runUnary(rt: Runtime, op: UnaryOp, a: GPUBuffer, out: GPUBuffer, n: number): void {
  const p = new Params(1);
  p.u[0] = n;
  rt.dispatch(
    rt.pipelines.get(`unary:${op}`, () => unaryWgsl(op, rt.precision)),
    p,
    [a, out],
    grid(Math.ceil(n / 256)),
  );
}
