import { Template } from '@huggingface/jinja';
import { InvalidFileError, OptionError } from '@weft/core';

/** One chat message. Templates read `role` and `content`; anything else is passed through. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  readonly content: string | readonly unknown[] | null;
  readonly [extra: string]: unknown;
}

/** Options of {@link ChatTemplate.apply}. */
export interface ChatTemplateOptions {
  /** End with the header that starts the assistant's reply. Default false. */
  readonly addGenerationPrompt?: boolean;
  /** Tool (function) definitions, JSON-schema style, for templates that support tools. */
  readonly tools?: readonly unknown[];
  /** Retrieved documents for RAG templates. */
  readonly documents?: readonly unknown[];
  /** Which named template to use when the config has several (default: `tool_use` with tools, else `default`). */
  readonly templateName?: string;
  /** More variables for the template (e.g. `date_string`, `enable_thinking`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The parts of tokenizer_config.json that chat templates read. */
export interface TokenizerConfigLike {
  readonly chat_template?: string | readonly { name: string; template: string }[] | null;
  readonly bos_token?: string | { content: string } | null;
  readonly eos_token?: string | { content: string } | null;
  readonly unk_token?: string | { content: string } | null;
  readonly pad_token?: string | { content: string } | null;
  readonly [key: string]: unknown;
}

function tokenText(t: TokenizerConfigLike['bos_token']): string | undefined {
  if (t == null) return undefined;
  if (typeof t === 'string') return t;
  if (typeof t === 'object' && typeof t.content === 'string') return t.content;
  return undefined;
}

/**
 * A compiled chat template (Jinja, run by `@huggingface/jinja`) with the special-token strings
 * of its tokenizer. Render errors raised by the template itself (`raise_exception(...)`, e.g.
 * "roles must alternate") come out as {@link OptionError} on `messages`.
 */
export class ChatTemplate {
  private readonly compiled: Map<string, Template>;
  private readonly specials: Record<string, string>;

  constructor(
    templates: Readonly<Record<string, string>>,
    specials: Readonly<Record<string, string | undefined>> = {},
    readonly fileName = 'tokenizer_config.json',
  ) {
    this.compiled = new Map();
    for (const [name, source] of Object.entries(templates)) {
      if (typeof source !== 'string')
        throw new InvalidFileError(fileName, `chat template ${JSON.stringify(name)} is not a string`);
      try {
        this.compiled.set(name, new Template(source));
      } catch (cause) {
        throw new InvalidFileError(
          fileName,
          `chat template ${JSON.stringify(name)} does not parse: ${(cause as Error).message}`,
          'fix the Jinja source or pass a template explicitly',
          { cause },
        );
      }
    }
    if (this.compiled.size === 0) throw new InvalidFileError(fileName, 'has no chat template', 'pass one explicitly');
    this.specials = {};
    for (const [k, v] of Object.entries(specials)) if (v !== undefined) this.specials[k] = v;
  }

  /** Names of the templates (`default`, `tool_use`, ...). */
  get names(): string[] {
    return [...this.compiled.keys()];
  }

  /** Renders the conversation to the prompt string (tokenize it with `addSpecialTokens: false`). */
  apply(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string {
    if (!Array.isArray(messages)) throw new OptionError('messages', 'must be an array of { role, content } objects');
    messages.forEach((m, i) => {
      if (m === null || typeof m !== 'object' || typeof m.role !== 'string')
        throw new OptionError(
          `messages[${i}]`,
          'must be an object with a string `role`',
          'e.g. { role: "user", content: "Hello" }',
        );
    });
    const name =
      opts.templateName ??
      (opts.tools?.length && this.compiled.has('tool_use')
        ? 'tool_use'
        : this.compiled.has('default')
          ? 'default'
          : this.names[0]!);
    const template = this.compiled.get(name);
    if (!template)
      throw new OptionError('templateName', `no template named ${JSON.stringify(name)}`, `available: ${this.names.join(', ')}`);
    try {
      return template.render({
        ...this.specials,
        ...opts.extra,
        messages,
        add_generation_prompt: opts.addGenerationPrompt ?? false,
        ...(opts.tools ? { tools: opts.tools } : {}),
        ...(opts.documents ? { documents: opts.documents } : {}),
      });
    } catch (cause) {
      throw new OptionError('messages', `the chat template rejected the conversation: ${(cause as Error).message}`, undefined);
    }
  }
}

/**
 * Builds the chat template of a tokenizer from its tokenizer_config.json (object or JSON
 * text). `override` replaces the config's template (e.g. for base models that have none).
 */
export function loadChatTemplate(
  config: TokenizerConfigLike | string,
  fileName = 'tokenizer_config.json',
  override?: string,
): ChatTemplate {
  let cfg: TokenizerConfigLike;
  if (typeof config === 'string') {
    try {
      cfg = JSON.parse(config) as TokenizerConfigLike;
    } catch (cause) {
      throw new InvalidFileError(fileName, `is not JSON: ${(cause as Error).message}`, 'pass the tokenizer_config.json file', {
        cause,
      });
    }
  } else cfg = config;
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) throw new InvalidFileError(fileName, 'is not a JSON object');
  const specials = {
    bos_token: tokenText(cfg.bos_token),
    eos_token: tokenText(cfg.eos_token),
    unk_token: tokenText(cfg.unk_token),
    pad_token: tokenText(cfg.pad_token),
  };
  if (override !== undefined) return new ChatTemplate({ default: override }, specials, fileName);
  const t = cfg.chat_template;
  if (t == null)
    throw new InvalidFileError(
      fileName,
      'has no chat_template (base models usually have none)',
      'pass a template explicitly: loadChatTemplate(config, name, CHATML_TEMPLATE) or your model family’s template',
    );
  if (typeof t === 'string') return new ChatTemplate({ default: t }, specials, fileName);
  if (!Array.isArray(t)) throw new InvalidFileError(fileName, 'chat_template must be a string or a list of { name, template }');
  const named: Record<string, string> = {};
  for (const entry of t) {
    if (!entry || typeof entry.name !== 'string' || typeof entry.template !== 'string')
      throw new InvalidFileError(fileName, 'chat_template entries must be { name, template } strings');
    named[entry.name] = entry.template;
  }
  return new ChatTemplate(named, specials, fileName);
}

/** Renders `messages` with the chat template of `config` (see {@link loadChatTemplate}). */
export function applyChatTemplate(
  config: TokenizerConfigLike | string,
  messages: readonly ChatMessage[],
  opts: ChatTemplateOptions & { chatTemplate?: string } = {},
): string {
  return loadChatTemplate(config, undefined, opts.chatTemplate).apply(messages, opts);
}

/** The ChatML template (Qwen, many fine-tunes): `<|im_start|>role\ncontent<|im_end|>\n`. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
