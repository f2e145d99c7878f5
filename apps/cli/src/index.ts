/**
 * @weft/cli — the `weft` command.
 * @packageDocumentation
 */

export { parseArgs } from './args.js';
export { DEFAULT_MODEL, DEFAULT_TOKENIZER, runGenerate } from './generate.js';
export { main } from './main.js';
