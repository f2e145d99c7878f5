/**
 * @weft/cli — the `weft` command.
 * @packageDocumentation
 */
export { main } from './main.js';
export { runGenerate, DEFAULT_MODEL, DEFAULT_TOKENIZER } from './generate.js';
export { parseArgs } from './args.js';
