import { readFileSync } from 'node:fs';
import { InvalidFileError, OptionError } from '@weft/core';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { applyChatTemplate, CHATML_TEMPLATE, type ChatMessage, loadChatTemplate } from '../../src/chat/index.js';
import { loadSentencePiece } from '../../src/sentencepiece/index.js';

// Templates as published in the tokenizer_config.json of well-known families.
const LLAMA2 =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
const LLAMA3 =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
const MISTRAL_INSTRUCT =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hi!' },
  { role: 'assistant', content: 'Hello.' },
  { role: 'user', content: 'Name a colour.' },
];

describe('chat templates', () => {
  it('ChatML', () => {
    const out = applyChatTemplate({ chat_template: CHATML_TEMPLATE }, conversation, { addGenerationPrompt: true });
    expect(out).toBe(
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(applyChatTemplate({ chat_template: CHATML_TEMPLATE }, conversation.slice(1, 2))).toBe(
      '<|im_start|>user\nHi!<|im_end|>\n',
    );
  });

  it('Llama-2 (system prompt folded into the first [INST], bos/eos from the config)', () => {
    const cfg = { chat_template: LLAMA2, bos_token: { content: '<s>' }, eos_token: '</s>' };
    expect(applyChatTemplate(cfg, conversation)).toBe(
      '<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi! [/INST] Hello. </s><s>[INST] Name a colour. [/INST]',
    );
  });

  it('Llama-3 (headers, eot, generation prompt)', () => {
    const cfg = { chat_template: LLAMA3, bos_token: '<|begin_of_text|>' };
    expect(applyChatTemplate(cfg, conversation.slice(0, 2), { addGenerationPrompt: true })).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('mistral-7b-v0.1 (a base model): no chat_template → typed error; an explicit template uses its bos/eos', () => {
    const text = readFileSync(fixture('mistral-7b-v0.1/tokenizer_config.json'), 'utf8');
    expect(() => loadChatTemplate(text, 'mistral-7b-v0.1/tokenizer_config.json')).toThrowError(InvalidFileError);
    expect(() => loadChatTemplate(text)).toThrowError(/no chat_template/);
    const chat = loadChatTemplate(text, 'tokenizer_config.json', MISTRAL_INSTRUCT);
    const out = chat.apply(conversation.slice(1));
    expect(out).toBe('<s>[INST] Hi! [/INST]Hello.</s>[INST] Name a colour. [/INST]');
    // The rendered prompt tokenizes with the model's .model file; BOS comes from the text, not from encode.
    const tok = loadSentencePiece(readFileSync(fixture('mistral-7b-v0.1/tokenizer.model')));
    expect(tok.idToToken(1)).toBe('<s>');
    expect(chat.apply(conversation.slice(1, 2)).startsWith('<s>')).toBe(true);
  });

  it('template errors and bad inputs are typed', () => {
    const cfg = { chat_template: MISTRAL_INSTRUCT, bos_token: '<s>', eos_token: '</s>' };
    expect(() => applyChatTemplate(cfg, [{ role: 'assistant', content: 'x' }])).toThrowError(OptionError);
    expect(() =>
      applyChatTemplate(cfg, [
        { role: 'user', content: 'x' },
        { role: 'user', content: 'y' },
      ]),
    ).toThrowError(/alternate/);
    expect(() => applyChatTemplate({ chat_template: '{% for x in %}' }, [])).toThrowError(InvalidFileError);
    expect(() => loadChatTemplate('{not json')).toThrowError(InvalidFileError);
    expect(() => applyChatTemplate(cfg, [{ content: 'x' } as unknown as ChatMessage])).toThrowError(/role/);
  });

  it('named templates: tool_use is chosen when tools are given', () => {
    const cfg = {
      chat_template: [
        { name: 'default', template: 'D{% for m in messages %}{{ m.content }}{% endfor %}' },
        { name: 'tool_use', template: 'T{{ tools | length }}{% for m in messages %}{{ m.content }}{% endfor %}' },
      ],
    };
    const chat = loadChatTemplate(cfg);
    expect(chat.names).toEqual(['default', 'tool_use']);
    expect(chat.apply([{ role: 'user', content: 'x' }])).toBe('Dx');
    expect(chat.apply([{ role: 'user', content: 'x' }], { tools: [{ name: 'f' }, { name: 'g' }] })).toBe('T2x');
    expect(() => chat.apply([], { templateName: 'nope' })).toThrowError(/no template named/);
  });
});
