import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory holding pnpm-workspace.yaml). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('weft repo root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** `../shared/fixtures` beside the checkout, or $WEFT_FIXTURES. */
export function fixturesDir(): string {
  return process.env.WEFT_FIXTURES ?? resolve(repoRoot(), '..', 'shared', 'fixtures');
}

/** Absolute path of a fixture file, e.g. `fixture('llama2c/stories260K.bin')`. */
export function fixture(relative: string): string {
  const p = join(fixturesDir(), relative);
  if (!existsSync(p)) throw new Error(`fixture not found: ${p} (set WEFT_FIXTURES to the shared/fixtures folder)`);
  return p;
}

/** Path of a file in the repo's embedded `models/` folder. */
export function embeddedModel(name: 'stories260K.bin' | 'tok512.bin'): string {
  return join(repoRoot(), 'models', name);
}
