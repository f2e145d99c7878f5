import { OptionError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { TinyLM } from '../../test/helpers/tiny-lm.js';
import { TinyTokenizer } from '../../test/helpers/tiny-tokenizer.js';
import { generateText } from '../generate.js';
import { type ChatCompletionChunk, type ChatMessage, createChatCompletion, streamChatCompletion } from './chat-completion.js';

const template = {
  calls: [] as unknown[],
  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean }) {
    this.calls.push(opts);
    return messages.map((m) => `${m.role[0]}.${m.content}.`).join('') + (opts.addGenerationPrompt ? 'a.' : '');
  },
};

function engine() {
  const model = new TinyLM({ vocabSize: 40, order: 3, seed: 12, scale: 3 });
  (model as { config: object }).config = { ...model.config, eosTokenId: undefined };
  return { model, tokenizer: new TinyTokenizer(40), template };
}

describe('OpenAI-style chat completions', () => {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi' },
  ];

  it('renders the template with a generation prompt and returns what generate() returns', async () => {
    const e = engine();
    const res = await createChatCompletion(e, { messages, max_tokens: 12, temperature: 0.8, seed: 5 });
    const prompt = e.tokenizer.encode(template.applyChatTemplate(messages, { addGenerationPrompt: true }), {
      addSpecialTokens: false,
    });
    const direct = await generateText(e.model, e.tokenizer, prompt, { maxNewTokens: 12, temperature: 0.8, seed: 5 });
    expect(res.object).toBe('chat.completion');
    expect(res.choices[0].message).toEqual({ role: 'assistant', content: direct.text });
    expect(res.choices[0].finish_reason).toBe('length');
    expect(res.usage).toEqual({ prompt_tokens: prompt.length, completion_tokens: 12, total_tokens: prompt.length + 12 });
  });

  it('streams a role delta, content deltas that add up to the completion, and a finish chunk', async () => {
    const e = engine();
    const full = await createChatCompletion(e, { messages, max_tokens: 15, stop: 'zz' });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of streamChatCompletion(e, { messages, max_tokens: 15, stop: 'zz', stream: true })) chunks.push(c);
    expect(chunks[0]!.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const last = chunks[chunks.length - 1]!;
    expect(last.choices[0].finish_reason).toBe(full.choices[0].finish_reason);
    expect(last.choices[0].delta).toEqual({});
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(full.choices[0].message.content);
  });

  it('maps stop strings to finish_reason "stop"', async () => {
    const e = engine();
    const free = await createChatCompletion(e, { messages, max_tokens: 20 });
    const stop = free.choices[0].message.content.slice(3, 5);
    const res = await createChatCompletion(e, { messages, max_tokens: 20, stop: [stop] });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.choices[0].message.content).toBe(
      free.choices[0].message.content.slice(0, free.choices[0].message.content.indexOf(stop)),
    );
  });

  it('rejects bad requests with OptionError', async () => {
    const e = engine();
    await expect(createChatCompletion(e, { messages: [] })).rejects.toBeInstanceOf(OptionError);
    await expect(createChatCompletion(e, { messages: [{ role: 'user' } as never] })).rejects.toBeInstanceOf(OptionError);
    await expect(createChatCompletion(e, { messages, n: 2 })).rejects.toBeInstanceOf(OptionError);
    await expect(createChatCompletion(e, { messages, max_tokens: 0 })).rejects.toBeInstanceOf(OptionError);
    await expect(createChatCompletion(e, { messages, top_p: 3 })).rejects.toBeInstanceOf(OptionError);
    expect(e.model.forwardCalls).toBe(0);
  });
});

it('junk request fields give OptionError, not crashes', async () => {
  const e = engine();
  const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];
  const junk: unknown[] = [null, 'x', Number.NaN, -1, 1.5, {}, [], [[]], true, 5];
  for (const field of [
    'messages',
    'max_tokens',
    'max_completion_tokens',
    'stop',
    'n',
    'temperature',
    'top_p',
    'seed',
    'logit_bias',
  ]) {
    for (const value of junk) {
      try {
        await createChatCompletion(e, { messages, max_tokens: 3, [field]: value } as never);
      } catch (err) {
        expect(err, `${field} = ${String(value)}`).toBeInstanceOf(OptionError);
      }
    }
  }
  await expect(createChatCompletion(e, null as never)).rejects.toBeInstanceOf(OptionError);
  await expect(createChatCompletion({ ...e, template: {} as never }, { messages })).rejects.toBeInstanceOf(OptionError);
});
