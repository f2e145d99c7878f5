#!/usr/bin/env node
// `weft` entry point. The CLI is compiled TypeScript: build it once with `pnpm build`
// (the README's demo command does).
process.stdout.on('error', (err) => {
  // `weft generate | head` closes the pipe early: stop quietly.
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});

let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('/dist/')) {
    process.stderr.write('weft: the CLI is not built yet — run `pnpm build` (or the README demo command) first.\n');
    process.exit(1);
  }
  throw err;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`weft: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
