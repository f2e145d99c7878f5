import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture } from '@weft/testing';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
const golden = (
  JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as { cases: { prompt: string; stdout: string }[] }
).cases.find((c) => c.prompt === 'Once upon a time')!;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.bin': 'application/octet-stream',
  '.css': 'text/css',
};

function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` }),
    ),
  );
}

// Chromium is installed by .ci/run; on a developer machine without it the browser test cannot run.
describe.skipIf(!hasChromium && !process.env.CI)('playground in headless Chromium', () => {
  let server: Server;
  let url: string;
  let profile: string;
  beforeAll(async () => {
    expect(existsSync(join(dist, 'index.html')), 'apps/playground/dist is missing: run `pnpm build` first').toBe(true);
    ({ server, url } = await serve(dist));
    profile = mkdtempSync(join(tmpdir(), 'weft-playground-'));
  });
  afterAll(() => {
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('generates the llama2.c greedy story in a Web Worker and draws tokens and attention', async () => {
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--disable-dev-shm-usage',
      ],
    });
    try {
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
      await page.fill('#maxTokens', '40');
      await page.click('#generate');
      await page.waitForSelector('body[data-state="done"]', { timeout: 60_000 });
      const text = await page.textContent('#out');
      expect(errors).toEqual([]);
      expect(text!.length).toBeGreaterThan(100);
      expect(golden.stdout.startsWith(text!)).toBe(true);
      expect(await page.locator('#tokens span').count()).toBeGreaterThan(40);
      // the heatmap has non-white pixels
      const painted = await page.evaluate(() => {
        const c = document.getElementById('heatmap') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && d[i]! < 250) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(0);
    } finally {
      await ctx.close();
    }
  });
});
