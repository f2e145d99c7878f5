/**
 * Decoding on a real model: llama2.c's stories260K (the repo's embedded copy) through @weft/models.
 * Greedy must equal llama2.c's greedy ids; seeded sampling must print exactly what llama2.c's
 * `run -t T -p P -s S` prints; speculative decoding must equal greedy.
 */
import { readFileSync } from 'node:fs';
import { loadLlama2c } from '@weft/models';
import { embeddedModel, fixture } from '@weft/testing';
import { CHATML_TEMPLATE, loadChatTemplate, loadLlama2cTokenizer } from '@weft/tokenizers';
import { describe, expect, it } from 'vitest';
import { createChatCompletion, streamChatCompletion } from '../../src/chat/chat-completion.js';
import { constraintProcessor, TokenVocabulary } from '../../src/constraints/index.js';
import { generateText } from '../../src/generate.js';
import { generateTokens } from '../../src/generate-tokens.js';
import type { SpeculativeStats } from '../../src/search/speculative.js';
import { streamTokens } from '../../src/stream-tokens.js';
import { collect } from '../helpers/tiny-lm.js';
import runGoldens from '../llama2c/run-goldens.json' with { type: 'json' };

const model = loadLlama2c(readFileSync(embeddedModel('stories260K.bin')));
const tok = loadLlama2cTokenizer(readFileSync(embeddedModel('tok512.bin')), 'tok512.bin', 512);
const greedy = JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
  cases: { prompt: string; steps: number; stdout: string; ids_after_bos: number[] }[];
};

/** run.c samples steps − P + 1 tokens after a P-token prompt (BOS included) and stops on BOS. */
function runCLength(promptLength: number, steps: number): number {
  return steps - promptLength + 1;
}
function dropBos(ids: number[]): number[] {
  return ids[ids.length - 1] === 1 ? ids.slice(0, -1) : ids;
}

describe('stories260K', () => {
  for (const c of greedy.cases) {
    it(`greedy generateTokens equals llama2.c's ids for ${JSON.stringify(c.prompt)}`, async () => {
      const prompt = tok.encode(c.prompt);
      const ids = await collect(
        generateTokens(model, prompt, { maxNewTokens: runCLength(prompt.length, c.steps), stopTokenIds: [1] }),
      );
      expect(dropBos(ids)).toEqual(c.ids_after_bos.slice(prompt.length - 1));
    });
  }

  for (const c of runGoldens.cases) {
    it(`seeded sampling prints what llama2.c run prints (-t ${c.temperature} -p ${c.topp} -s ${c.seed} -i ${JSON.stringify(c.prompt)})`, async () => {
      const prompt = tok.encode(c.prompt);
      const maxNewTokens = runCLength(prompt.length, c.steps);
      const ids = dropBos(
        await collect(
          generateTokens(model, prompt, {
            maxNewTokens,
            temperature: c.temperature,
            topP: c.topp,
            seed: c.seed,
            stopTokenIds: [1],
          }),
        ),
      );
      expect(`${tok.decode([...prompt, ...ids])}\n`).toBe(c.stdout);
      // the HF-style API picks the same tokens from the same options
      const viaGenerate = await generateText(model, tok, prompt, {
        max_new_tokens: maxNewTokens,
        temperature: c.temperature,
        top_p: c.topp,
        seed: c.seed,
        eos_token_id: 1,
      });
      expect(dropBos(viaGenerate.tokens)).toEqual(ids);
    });
  }

  it('speculative decoding with prompt lookup equals greedy (and accepts drafts)', async () => {
    const prompt = tok.encode('Once upon a time, there was a little girl named Lily. She loved to play outside in the park.');
    const plain = await collect(streamTokens(model, prompt, { maxNewTokens: 150, eosTokenId: 1 }));
    const stats: SpeculativeStats = { steps: 0, drafted: 0, accepted: 0 };
    const spec = await collect(
      streamTokens(model, prompt, { maxNewTokens: 150, eosTokenId: 1, promptLookupNumTokens: 4 }, stats),
    );
    expect(spec).toEqual(plain);
    expect(stats.accepted).toBeGreaterThan(10);
    expect(stats.steps).toBeLessThan(plain.length);
  });

  it('speculative decoding with the model as its own draft equals greedy', async () => {
    const prompt = tok.encode('The cat');
    const plain = await collect(streamTokens(model, prompt, { maxNewTokens: 60, eosTokenId: 1 }));
    const spec = await collect(
      streamTokens(model, prompt, { maxNewTokens: 60, eosTokenId: 1, assistantModel: model, numAssistantTokens: 4 }),
    );
    expect(spec).toEqual(plain);
  });

  it('contrastive search and beam search run on the real model and return valid text', async () => {
    const prompt = tok.encode('Once upon a time');
    const cs = await generateText(model, tok, prompt, { penalty_alpha: 0.6, top_k: 4, max_new_tokens: 40, eos_token_id: 1 });
    expect(cs.tokens.length).toBeGreaterThan(0);
    expect(cs.text.length).toBeGreaterThan(10);
    const beam = await generateText(model, tok, prompt, { num_beams: 3, max_new_tokens: 30, eos_token_id: 1 });
    expect(beam.tokens.length).toBeGreaterThan(0);
  });
});

describe('stories260K with a constraint processor from ./constraints', () => {
  const vocab = TokenVocabulary.fromTokenizer(tok);
  const pattern = '(The|A) (cat|dog|girl) (ran|sat|was happy)\\.';
  const re = new RegExp(`^${pattern}$`);
  const strategies: [string, object][] = [
    ['greedy', {}],
    ['sampling', { temperature: 1, seed: 3 }],
    ['beam search', { num_beams: 3 }],
    ['speculative sampling (prompt lookup)', { temperature: 1, seed: 4, prompt_lookup_num_tokens: 3 }],
  ];
  for (const [name, opts] of strategies) {
    it(`${name} under a regex constraint yields matching text`, async () => {
      const proc = constraintProcessor({ kind: 'regex', pattern }, vocab);
      const r = await generateText(model, tok, 'Once upon a time', {
        ...opts,
        processors: [proc],
        max_new_tokens: 40,
        eos_token_id: vocab.eos,
      });
      expect(r.finishReason).toBe('stop');
      expect(r.text.trim()).toMatch(re);
    });
  }
});

describe('chat completions with the tokenizers package’s chat template', () => {
  it('renders ChatML, generates, and streams the same text', async () => {
    const template = loadChatTemplate({}, 'tokenizer_config.json', CHATML_TEMPLATE);
    const engine = { model, tokenizer: tok, template, name: 'stories260K' };
    const messages = [{ role: 'user', content: 'Tell me a story.' }];
    const req = { messages, max_tokens: 30, temperature: 0.8, seed: 5 };
    const res = await createChatCompletion(engine, req);
    const prompt = tok.encode(template.apply(messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
    expect(res.usage.prompt_tokens).toBe(prompt.length);
    expect(res.choices[0].message.content).toBe(
      (await generateText(model, tok, prompt, { maxNewTokens: 30, temperature: 0.8, seed: 5 })).text,
    );
    let streamed = '';
    for await (const c of streamChatCompletion(engine, { ...req, stream: true })) streamed += c.choices[0].delta.content ?? '';
    expect(streamed).toBe(res.choices[0].message.content);
    expect(res.choices[0].message.content.length).toBeGreaterThan(0);
  });
});
