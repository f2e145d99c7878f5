/**
 * @weft/onnx — onnxruntime sessions as weft CausalLMs.
 * @packageDocumentation
 */
export { OnnxCache, OnnxCausalLM, type OnnxCausalLMOptions, type OrtModule } from './causal-lm.js';
export { type LoadOnnxOptions, loadOnnxCausalLM, type OrtRuntime } from './load.js';
