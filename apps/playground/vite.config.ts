import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The embedded default model (repo's models/ folder) is served as static files.
export default defineConfig({
  publicDir: fileURLToPath(new URL('../../models', import.meta.url)),
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  worker: { format: 'es' },
});
