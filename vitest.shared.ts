import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Shared per-package Vitest project: resolves `@weft/<pkg>` to the package's TypeScript
 * source so tests never depend on a prior build, and runs in forked processes (Dawn-safe).
 */
export function weftProject(name: string, extra: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: {
      alias: [
        { find: /^@weft\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
        { find: /^@weft\/([a-z0-9-]+)\/(.+)$/, replacement: `${root}packages/$1/src/$2.ts` },
      ],
    },
    test: {
      name,
      pool: 'forks',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 60_000,
    },
  });
}
