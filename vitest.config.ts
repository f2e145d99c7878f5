import { defineConfig } from 'vitest/config';

/** One Vitest project per package/app; each directory has its own vitest.config.ts. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
