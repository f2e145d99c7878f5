/**
 * An OpenAI-style chat-completion adapter: messages in, a completion (or streamed deltas) out,
 * rendered with the tokenizer's chat template and generated with {@link generate}.
 */
import { type CausalLM, OptionError, type Tokenizer } from '@weft/core';
import { type GenerateTextOptions, generate } from '../generate.js';
import type { GenerateOptions } from '../runtime/options.js';
import type { FinishReason } from '../search/finish.js';
import { describe, optInt } from '../validate.js';

/** One chat message (a type literal, so it also fits templates that accept extra fields). */
export type ChatMessage = {
  readonly role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  readonly content: string;
};

/** Options the adapter passes when rendering. */
export interface ChatRenderOptions {
  addGenerationPrompt?: boolean;
}

/**
 * A chat template in any of three shapes: an object with `applyChatTemplate(messages, opts)`, an
 * object with `apply(messages, opts)` (the tokenizers package's `ChatTemplate`), or a function.
 */
export type ChatTemplate =
  | { applyChatTemplate(messages: readonly ChatMessage[], opts: ChatRenderOptions): string }
  | { apply(messages: readonly ChatMessage[], opts: ChatRenderOptions): string }
  | ((messages: readonly ChatMessage[], opts: ChatRenderOptions) => string);

function render(template: ChatTemplate, messages: readonly ChatMessage[], opts: ChatRenderOptions): unknown {
  if (typeof template === 'function') return template(messages, opts);
  if (template && typeof (template as { applyChatTemplate?: unknown }).applyChatTemplate === 'function') {
    return (template as { applyChatTemplate(m: readonly ChatMessage[], o: ChatRenderOptions): string }).applyChatTemplate(
      messages,
      opts,
    );
  }
  if (template && typeof (template as { apply?: unknown }).apply === 'function') {
    return (template as { apply(m: readonly ChatMessage[], o: ChatRenderOptions): string }).apply(messages, opts);
  }
  throw new OptionError(
    'template',
    `got ${describe(template)}`,
    'pass a chat template: applyChatTemplate(messages, opts), apply(messages, opts), or a function',
  );
}

/** The model, tokenizer and template a chat runs on. */
export interface ChatEngine {
  readonly model: CausalLM;
  readonly tokenizer: Tokenizer;
  readonly template: ChatTemplate;
  /** Reported as `model` in responses. Default 'weft'. */
  readonly name?: string;
}

/**
 * OpenAI chat-completion request fields (`max_tokens`, `max_completion_tokens`, `stop`, `n` = 1,
 * `temperature`, `top_p`, `seed`, `frequency_penalty`, `presence_penalty`, `logit_bias`, `stream`,
 * `model`, `user`) plus any weft generation option (camelCase or HF snake_case).
 */
export interface ChatCompletionRequest extends GenerateOptions {
  readonly messages: readonly ChatMessage[];
  readonly model?: string;
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly stop?: string | readonly string[];
  readonly n?: number;
  readonly stream?: boolean;
  readonly user?: string;
  /** Encode the rendered template with the tokenizer's special tokens (BOS...). Default false: templates usually contain them. */
  readonly addSpecialTokens?: boolean;
}

export type ChatFinishReason = 'stop' | 'length';

/** One streamed delta (OpenAI `chat.completion.chunk`). */
export interface ChatCompletionChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly [
    {
      readonly index: 0;
      readonly delta: { readonly role?: 'assistant'; readonly content?: string };
      readonly finish_reason: ChatFinishReason | null;
    },
  ];
}

/** A complete response (OpenAI `chat.completion`). */
export interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly [
    {
      readonly index: 0;
      readonly message: { readonly role: 'assistant'; readonly content: string };
      readonly finish_reason: ChatFinishReason;
    },
  ];
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number };
}

function finish(reason: FinishReason): ChatFinishReason {
  return reason === 'stop' || reason === 'stop-string' ? 'stop' : 'length';
}

/** Validates the request and splits it into the rendered prompt ids and generation options. */
function prepareChat(
  engine: ChatEngine,
  request: ChatCompletionRequest,
): { promptIds: number[]; options: GenerateTextOptions; model: string } {
  if (!request || typeof request !== 'object')
    throw new OptionError('request', `got ${describe(request)}`, 'pass { messages: [...] }');
  const {
    messages,
    model,
    max_tokens,
    max_completion_tokens,
    stop,
    n,
    stream: _stream,
    user: _user,
    addSpecialTokens,
    ...rest
  } = request;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new OptionError('messages', 'must be a non-empty array', 'pass [{ role: "user", content: "..." }]');
  for (const [i, m] of messages.entries()) {
    if (!m || typeof m.role !== 'string' || typeof m.content !== 'string') {
      throw new OptionError(`messages[${i}]`, `got ${describe(m)}`, 'each message needs a string role and a string content');
    }
  }
  // OpenAI clients send null for "default"
  if ((optInt('n', n ?? undefined, 1) ?? 1) !== 1)
    throw new OptionError('n', `${n} choices are not supported`, 'request one choice per call, or use generateBatch');
  const maxTokens =
    optInt('max_completion_tokens', max_completion_tokens ?? undefined, 1) ?? optInt('max_tokens', max_tokens ?? undefined, 1);
  const options: GenerateTextOptions = { ...(rest as GenerateOptions) };
  if (maxTokens !== undefined) {
    if (options.maxNewTokens !== undefined || (rest as Record<string, unknown>).max_new_tokens !== undefined) {
      throw new OptionError('max_tokens', 'given together with max_new_tokens', 'give one of them');
    }
    options.maxNewTokens = maxTokens;
  }
  if (stop !== undefined && stop !== null) {
    const list = typeof stop === 'string' ? [stop] : stop;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x.length > 0)) {
      throw new OptionError('stop', `got ${describe(stop)}`, 'pass a non-empty string or an array of them');
    }
    options.stopStrings = [...list];
  }
  const text = render(engine.template, messages, { addGenerationPrompt: true });
  if (typeof text !== 'string')
    throw new OptionError('template', 'applyChatTemplate did not return a string', 'check the chat template');
  const promptIds = engine.tokenizer.encode(text, { addSpecialTokens: addSpecialTokens ?? false });
  return { promptIds, options, model: model ?? engine.name ?? 'weft' };
}

function newId(): string {
  return `chatcmpl-${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** Streams a chat completion as OpenAI-style chunks: a role delta, content deltas, then a finish chunk. */
export async function* streamChatCompletion(
  engine: ChatEngine,
  request: ChatCompletionRequest,
): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  const { promptIds, options, model } = prepareChat(engine, request);
  const id = newId();
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], reason: ChatFinishReason | null): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: reason }],
  });
  const it = generate(engine.model, engine.tokenizer, promptIds, options);
  let first = true;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      if (first) yield chunk({ role: 'assistant', content: '' }, null);
      yield chunk({}, finish(r.value.finishReason));
      return;
    }
    if (first) {
      yield chunk({ role: 'assistant', content: '' }, null);
      first = false;
    }
    if (r.value.text) yield chunk({ content: r.value.text }, null);
  }
}

/** Runs a chat completion to the end (OpenAI `chat.completion` shape, with token usage). */
export async function createChatCompletion(engine: ChatEngine, request: ChatCompletionRequest): Promise<ChatCompletion> {
  const { promptIds, options, model } = prepareChat(engine, request);
  const it = generate(engine.model, engine.tokenizer, promptIds, options);
  let r = await it.next();
  while (!r.done) r = await it.next();
  const res = r.value;
  return {
    id: newId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: res.text }, finish_reason: finish(res.finishReason) }],
    usage: {
      prompt_tokens: res.promptTokens,
      completion_tokens: res.tokens.length,
      total_tokens: res.promptTokens + res.tokens.length,
    },
  };
}
