import { InvalidFileError } from '@weft/core';
import type { InferenceSession } from 'onnxruntime-web';
import { OnnxCausalLM, type OnnxCausalLMOptions, type OrtModule } from './causal-lm.js';

/** The onnxruntime module: `InferenceSession.create` plus `Tensor`. */
export interface OrtRuntime extends OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
}

/** Options of {@link loadOnnxCausalLM}. */
export interface LoadOnnxOptions extends OnnxCausalLMOptions {
  /** The onnxruntime module to use (default: `import('onnxruntime-web')`). */
  readonly ort?: OrtRuntime;
  /** External data files (`model.onnx.data`) by the path the graph names. */
  readonly externalData?: readonly { path: string; data: Uint8Array }[];
  readonly sessionOptions?: InferenceSession.SessionOptions;
}

/**
 * Creates an onnxruntime session from model bytes and wraps it as a {@link OnnxCausalLM}.
 * Bytes that are not a loadable ONNX model give an {@link InvalidFileError} naming the file.
 */
export async function loadOnnxCausalLM(model: Uint8Array, opts: LoadOnnxOptions = {}): Promise<OnnxCausalLM> {
  const ort = opts.ort ?? ((await import('onnxruntime-web')) as unknown as OrtRuntime);
  const name = opts.name ?? 'model.onnx';
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, {
      ...opts.sessionOptions,
      ...(opts.externalData ? { externalData: opts.externalData.map((e) => ({ path: e.path, data: e.data })) } : {}),
    });
  } catch (e) {
    throw new InvalidFileError(
      name,
      `onnxruntime could not load it: ${(e as Error).message}`,
      'pass an ONNX decoder (and its external data file, if the graph has one)',
      { cause: e },
    );
  }
  return new OnnxCausalLM(ort, session, opts);
}
