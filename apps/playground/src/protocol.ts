/** Messages between the page and the generation worker. */
export interface GenerateRequest {
  readonly type: 'generate';
  readonly prompt: string;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  readonly maxTokens: number;
  readonly attention: 'full' | 'flash';
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tokens'; readonly pieces: readonly string[] }
  | { readonly type: 'attention'; readonly probs: Float32Array; readonly shape: readonly [number, number, number] }
  | { readonly type: 'done'; readonly tokens: number; readonly seconds: number }
  | { readonly type: 'error'; readonly message: string };
