import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Runs every ```ts example in docs/positional that imports @weft/positional, and checks each
 * `console.log(...); // expected` line: the printed text must appear in the comment.
 */
const docsDir = fileURLToPath(new URL('../../../docs/positional/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'weft-positional-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md'));

describe('docs/positional examples run and print what their comments say', () => {
  it('there are pages with examples', () => expect(pages.length).toBeGreaterThanOrEqual(7));
  for (const page of pages) {
    const text = readFileSync(join(docsDir, page), 'utf8');
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .filter((b) => b.includes("from '@weft/positional'"));
    blocks.forEach((code, n) => {
      it(`${page} example ${n + 1}`, async () => {
        // the expectation is the log line's trailing comment, or a comment line right after it
        const lines = code.split('\n');
        const expected = lines.flatMap((l, i) => {
          if (!l.includes('console.log(')) return [];
          const comment = l.includes('// ') ? l : (lines[i + 1] ?? '');
          return comment.trim().startsWith('//') || comment.includes('// ')
            ? [comment.slice(comment.lastIndexOf('// ') + 3).trim()]
            : [''];
        });
        const logs: string[] = [];
        (globalThis as Record<string, unknown>).__docLog = (...args: unknown[]) => logs.push(args.map(String).join(' '));
        const file = join(work, `${page.replace(/\W/g, '_')}_${n}.ts`);
        writeFileSync(file, code.replace(/console\.log\(/g, '(globalThis as any).__docLog('));
        await import(/* @vite-ignore */ file);
        expect(logs.length, `${page} example ${n + 1} printed ${JSON.stringify(logs)}`).toBe(expected.length);
        for (const [i, line] of logs.entries()) expect(expected[i], `line ${i + 1} printed ${line}`).toContain(line);
      });
    });
  }
});
