import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The conformance suite in headless Chromium (Debian /usr/bin/chromium through playwright-core;
 * never a downloaded browser). A tiny server transpiles package sources on request
 * (/src/<pkg>/<file>.js → packages/<pkg>/src/<file>.ts), so no build is needed.
 */
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = (() => {
  try {
    return statSync(CHROMIUM).isFile();
  } catch {
    return false;
  }
})();
const inCi = process.env.CI === 'true' || process.env.CI === '1';

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      const src = /^\/src\/([a-z0-9-]+)\/(.+)\.js$/.exec(url.pathname);
      if (src) {
        const file = normalize(join(root, 'packages', src[1]!, 'src', `${src[2]}.ts`));
        if (!file.startsWith(join(root, 'packages'))) throw new Error('outside the repo');
        const out = ts.transpileModule(readFileSync(file, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
        });
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(out.outputText);
        return;
      }
      const page = /^\/test\/browser\/([a-z.]+)$/.exec(url.pathname);
      if (page) {
        const file = join(root, 'packages', 'webgpu', 'test', 'browser', page[1]!);
        res
          .writeHead(200, { 'content-type': page[1]!.endsWith('.html') ? 'text/html' : 'text/javascript' })
          .end(readFileSync(file));
        return;
      }
      res.writeHead(404).end();
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

describe('headless Chromium', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it.skipIf(!haveChromium && !inCi)(
    'runs the conformance suite on WebGPU in the browser',
    async () => {
      if (!haveChromium) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set WEFT_CHROMIUM)`);
      const server = await serve();
      cleanups.push(() => new Promise<void>((ok) => server.close(() => ok())));
      const profile = mkdtempSync(join(tmpdir(), 'weft-chromium-'));
      cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
      const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        ignoreDefaultArgs: ['--headless'],
        args: [
          '--headless=new',
          '--no-sandbox',
          '--enable-unsafe-webgpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          '--disable-dev-shm-usage',
        ],
      });
      cleanups.push(() => ctx.close());
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/test/browser/page.html`);
      await page.waitForFunction(() => (globalThis as { __weft?: unknown }).__weft !== undefined, undefined, {
        timeout: 240_000,
      });
      const result = (await page.evaluate(() => (globalThis as { __weft?: unknown }).__weft)) as {
        error?: string;
        device?: string;
        seed?: number;
        results?: { name: string; ok: boolean; message: string }[];
      };
      expect(errors).toEqual([]);
      if (result.error && /no WebGPU adapter/.test(result.error) && !inCi) {
        console.warn(`skipping: Chromium has no WebGPU adapter here (${result.error})`);
        return;
      }
      expect(result.error).toBeUndefined();
      const failed = result.results!.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
      console.log(
        `Chromium WebGPU (${result.device}), seed ${result.seed}: ${result.results!.length - failed.length}/${result.results!.length} cases pass`,
      );
      expect(failed).toEqual([]);
      expect(result.results!.length).toBeGreaterThan(100);
    },
    300_000,
  );
});
