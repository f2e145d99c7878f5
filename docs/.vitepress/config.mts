import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Section folders, in sidebar order. A page's title is its first `# ` heading. */
const sections: [string, string][] = [
  ['guide', 'Guide'],
  ['tokenizers', 'Tokenizers'],
  ['models', 'Models'],
  ['attention', 'Attention'],
  ['positional', 'Positional encoding'],
  ['decoding', 'Decoding'],
  ['webgpu', 'WebGPU runtime'],
  ['benchmarks', 'Benchmarks'],
];

function title(file: string): string {
  const m = /^#\s+(.+)$/m.exec(readFileSync(file, 'utf8'));
  return m ? m[1]!.trim() : file;
}

/** Sidebar built from the folders, so adding a page never means editing this file. */
function sidebar() {
  return sections.flatMap(([dir, text]) => {
    const full = join(root, dir);
    let files: string[] = [];
    try {
      if (!statSync(full).isDirectory()) return [];
      files = readdirSync(full)
        .filter((f) => f.endsWith('.md'))
        .sort((a, b) => (a === 'index.md' ? -1 : b === 'index.md' ? 1 : a.localeCompare(b)));
    } catch {
      return [];
    }
    if (files.length === 0) return [];
    return [
      {
        text,
        items: files.map((f) => ({
          text: title(join(full, f)),
          link: `/${dir}/${f.replace(/\.md$/, '').replace(/^index$/, '')}`,
        })),
      },
    ];
  });
}

export default defineConfig({
  title: 'weft',
  description: 'Transformer language models in the browser and Node, from swappable parts.',
  cleanUrls: true,
  // Pages link to repository files (bench scripts, sources) that live outside docs/.
  ignoreDeadLinks: [/^\.\.\/\.\.\//, /^\/\.\.\//],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Benchmarks', link: '/benchmarks/' },
    ],
    sidebar: sidebar(),
    search: { provider: 'local' },
  },
});
