import { arr, asObject, bool, fail, field, type JsonObject, pattern, str, typeOf, unknownType } from '../config.js';
import { BertPreTokenizer } from './bert.js';
import { ByteLevelPreTokenizer } from './byte-level.js';
import { Digits } from './digits.js';
import { Metaspace, type PrependScheme } from './metaspace.js';
import { type PreTokenizer, parseBehavior } from './pieces.js';
import { Punctuation } from './punctuation.js';
import { PreTokenizerSequence } from './sequence.js';
import { Split } from './split.js';
import { CharDelimiterSplit, Whitespace, WhitespaceSplit } from './whitespace.js';

export { GPT2_PATTERN } from './byte-level.js';
export type { Pieces, PreTokenizeContext, PreTokenizer, SplitBehavior } from './pieces.js';
export {
  BertPreTokenizer,
  ByteLevelPreTokenizer,
  CharDelimiterSplit,
  Digits,
  Metaspace,
  PreTokenizerSequence,
  Punctuation,
  Split,
  Whitespace,
  WhitespaceSplit,
};

const KNOWN = [
  'ByteLevel',
  'Split',
  'Whitespace',
  'WhitespaceSplit',
  'Metaspace',
  'Digits',
  'Punctuation',
  'BertPreTokenizer',
  'CharDelimiterSplit',
  'Sequence',
];

function behavior(o: JsonObject, path: string, fallback: string) {
  const name = str(o, 'behavior', path, fallback);
  const b = parseBehavior(name);
  if (!b)
    fail(
      `${path}.behavior`,
      `is ${JSON.stringify(name)}`,
      'use Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous',
    );
  return b;
}

/** Builds a pre-tokenizer from its tokenizer.json config; throws InvalidFileError on unknown types or bad fields. */
export function createPreTokenizer(config: unknown, path = 'pre_tokenizer'): PreTokenizer {
  const o = asObject(config, path);
  const type = typeOf(o, path);
  switch (type) {
    case 'ByteLevel':
      return new ByteLevelPreTokenizer(bool(o, 'add_prefix_space', path, true), bool(o, 'use_regex', path, true));
    case 'Split':
      return new Split(pattern(o, 'pattern', path), behavior(o, path, 'Isolated'), bool(o, 'invert', path, false));
    case 'Whitespace':
      return new Whitespace();
    case 'WhitespaceSplit':
      return new WhitespaceSplit();
    case 'CharDelimiterSplit':
      return new CharDelimiterSplit(str(o, 'delimiter', path));
    case 'Metaspace': {
      const replacement = str(o, 'replacement', path, '\u2581');
      if (replacement.length === 0) fail(`${path}.replacement`, 'must not be empty');
      let scheme: PrependScheme;
      const raw = field(o, 'prepend_scheme');
      if (raw === undefined || raw === null) scheme = bool(o, 'add_prefix_space', path, true) ? 'always' : 'never';
      else if (raw === 'always' || raw === 'first' || raw === 'never') scheme = raw;
      else fail(`${path}.prepend_scheme`, `is ${JSON.stringify(raw)}`, 'use "always", "first" or "never"');
      if (field(o, 'add_prefix_space') === false && (raw === undefined || raw === null)) scheme = 'never';
      return new Metaspace(replacement, scheme, bool(o, 'split', path, true));
    }
    case 'Digits':
      return new Digits(bool(o, 'individual_digits', path, false));
    case 'Punctuation':
      return new Punctuation(behavior(o, path, 'Isolated'));
    case 'BertPreTokenizer':
      return new BertPreTokenizer();
    case 'Sequence':
      return new PreTokenizerSequence(
        arr(o, 'pretokenizers', path).map((p, i) => createPreTokenizer(p, `${path}.pretokenizers[${i}]`)),
      );
    default:
      return unknownType(path, type, KNOWN);
  }
}
