import { WeftError } from '@weft/core';
import { parseArgs } from './args.js';
import { GENERATE_HELP, runGenerate } from './generate.js';
import { INSPECT_HELP, runInspect } from './inspect.js';
import { runTokenize, TOKENIZE_HELP } from './tokenize.js';

const HELP = `weft — language models from swappable parts

  weft generate [options]    continue a prompt (weft generate --help)
  weft tokenize [options]    split text into tokens (any tokenizer format)
  weft inspect <file>        what a model or tokenizer file holds
`;

/** Entry point: returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['help', 'json', 'no-special']));
  const out = (s: string) => {
    process.stdout.write(s);
  };
  const err = (s: string) => {
    process.stderr.write(s);
  };
  try {
    switch (args.command) {
      case 'generate':
        return await runGenerate(argv.slice(1), out, err);
      case 'inspect':
        return runInspect(args, out);
      case 'tokenize':
        return await runTokenize(args, out);
      case undefined:
      case 'help':
        out(HELP + '\n' + GENERATE_HELP + '\n\n' + TOKENIZE_HELP + '\n\n' + INSPECT_HELP + '\n');
        return args.command === undefined ? 1 : 0;
      default:
        err(`weft: unknown command '${args.command}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof WeftError) {
      err(`weft: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
