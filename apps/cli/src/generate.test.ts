import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { runGenerate } from './generate.js';
import { main } from './main.js';

const goldens = JSON.parse(readFileSync(fixture('llama2c/greedy-goldens.json'), 'utf8')) as {
  cases: { prompt: string; steps: number; stdout: string }[];
};

async function run(argv: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const code = await runGenerate(
    argv,
    (s) => {
      out += s;
    },
    (s) => {
      err += s;
    },
  );
  return { out, err, code };
}

describe('weft generate', () => {
  for (const c of goldens.cases) {
    it(`prints what llama2.c prints at temperature 0 for prompt ${JSON.stringify(c.prompt)}`, async () => {
      const r = await run(['--temperature', '0', '--steps', String(c.steps), '--prompt', c.prompt]);
      expect(r.out).toBe(c.stdout);
      expect(r.err).toMatch(/achieved tok\/s: [\d.]+/);
    });
  }

  it('--max-tokens bounds the continuation and the prompt is echoed first', async () => {
    const r = await run(['--temperature', '0', '--prompt', 'Once upon a time', '--max-tokens', '5']);
    expect(r.out).toBe('Once upon a time, there was a little\n');
  });

  it('exposes the decoding options: speculative prompt lookup keeps the greedy story; stop strings cut it', async () => {
    const c = goldens.cases[0]!;
    const spec = await run(['--temperature', '0', '--steps', '256', '--prompt-lookup', '4']);
    expect(spec.out).toBe(c.stdout);
    const stopped = await run(['--temperature', '0', '--max-tokens', '60', '--stop', 'park']);
    expect(stopped.out).toBe('Once upon a time, there was a little girl named Lily. She loved to play outside in the \n');
    expect(stopped.err).toMatch(/finish: stop-string/);
    const beams = await run(['--num-beams', '3', '--max-tokens', '20']);
    expect(beams.out.startsWith('Once upon a time')).toBe(true);
    const flash = await run(['--temperature', '0', '--max-tokens', '60', '--attention', 'flash']);
    expect(c.stdout.startsWith(flash.out.trimEnd())).toBe(true);
  });

  it('--regex and --json-schema constrain the continuation (10 seeds each)', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = await run([
        '--prompt',
        'Lily',
        '--seed',
        String(seed),
        '--regex',
        ' is [0-9]{1,2} years old\\.',
        '--max-tokens',
        '40',
      ]);
      expect(r.out).toMatch(/^Lily is [0-9]{1,2} years old\.\n$/);
      const schema = JSON.stringify({
        type: 'object',
        properties: { name: { type: 'string', maxLength: 12 }, happy: { type: 'boolean' } },
        required: ['name', 'happy'],
        additionalProperties: false,
      });
      const j = await run(['--seed', String(seed), '--json-schema', schema, '--max-tokens', '60']);
      const parsed = JSON.parse(j.out) as { name: string; happy: boolean };
      expect(typeof parsed.name).toBe('string');
      expect(typeof parsed.happy).toBe('boolean');
    }
    await expect(run(['--json-schema', '{"type": "string", "minLength": 5, "maxLength": 2}'])).rejects.toThrow(
      /minLength|maxLength/,
    );
    await expect(run(['--json-schema', '{not json'])).rejects.toThrow(/--json-schema/);
  });

  it('is reproducible with a seed and differs across seeds', async () => {
    const a = await run(['--seed', '42', '--max-tokens', '40']);
    const b = await run(['--seed', '42', '--max-tokens', '40']);
    const c = await run(['--seed', '43', '--max-tokens', '40']);
    expect(a.out).toBe(b.out);
    expect(c.out).not.toBe(a.out);
  });

  it('reports bad files and options as typed errors naming the problem (exit code 2)', async () => {
    const bogus = join(tmpdir(), `weft-bogus-${process.pid}.bin`);
    writeFileSync(bogus, '{"not": "a tokenizer"}');
    const errs: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      errs.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await main(['generate', '--tokenizer', bogus])).toBe(2);
      expect(await main(['generate', '--model', bogus])).toBe(2);
      expect(await main(['generate', '--model', '/nonexistent/x.bin'])).toBe(2);
      expect(await main(['generate', '--top-p', '1.5'])).toBe(2);
      expect(await main(['generate', '--temperature', '-1'])).toBe(2);
      expect(await main(['generate', '--backend', 'tpu'])).toBe(2);
      expect(await main(['generate', '--frobnicate', '1'])).toBe(2);
      expect(await main(['generate', '--precision', 'f64'])).toBe(2);
      expect(await main(['generate', '--precision', 'f16'])).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    expect(errs[0]).toContain(bogus);
    expect(errs[0]).toMatch(/not a llama2\.c tokenizer/);
    expect(errs[1]).toMatch(/only 22 bytes|not a plausible size|truncated/);
    expect(errs[2]).toMatch(/cannot read the model/);
    expect(errs[3]).toMatch(/topP|top-p/);
    expect(errs[4]).toMatch(/temperature/);
    expect(errs[5]).toMatch(/unknown backend 'tpu'/);
    expect(errs[6]).toMatch(/--frobnicate/);
    expect(errs[7]).toMatch(/unknown precision 'f64'/);
    expect(errs[8]).toMatch(/WebGPU precision.*--backend webgpu/s);
  });
});

describe('the weft binary (needs `pnpm build`)', () => {
  const bin = fileURLToPath(new URL('../bin/weft.js', import.meta.url));
  const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  it('streams the story to stdout and timing to stderr', () => {
    expect(existsSync(dist), 'apps/cli/dist is missing: run `pnpm build` (the README test command does)').toBe(true);
    const r = spawnSync(process.execPath, [bin, 'generate', '--temperature', '0', '--max-tokens', '40'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('Once upon a time, there was a little girl named Lily.')).toBe(true);
    expect(r.stderr).toMatch(/achieved tok\/s/);
    expect(execFileSync(process.execPath, [bin, 'generate', '--help'], { encoding: 'utf8' })).toContain('--top-p');
  });
});

// Debian's chromium provides the Vulkan loader + SwiftShader driver that Dawn needs in Node;
// .ci/run installs it, so in CI this always runs.
describe.skipIf(!existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') && !process.env.CI)(
  'weft generate --backend webgpu',
  () => {
    const bin = fileURLToPath(new URL('../bin/weft.js', import.meta.url));
    it('prints the same greedy story as the CPU backend', () => {
      const args = [bin, 'generate', '--temperature', '0', '--max-tokens', '24'];
      const gpu = spawnSync(process.execPath, [...args, '--backend', 'webgpu'], { encoding: 'utf8' });
      expect(gpu.stderr).toMatch(/backend webgpu/);
      expect(gpu.status).toBe(0);
      const cpu = spawnSync(process.execPath, args, { encoding: 'utf8' });
      expect(gpu.stdout).toBe(cpu.stdout);
      expect(cpu.stdout.startsWith('Once upon a time, there was a little girl named Lily.')).toBe(true);
    });

    it('--precision f16 on an adapter without shader-f16 (SwiftShader) exits 2 naming the fix', () => {
      const r = spawnSync(process.execPath, [bin, 'generate', '--backend', 'webgpu', '--precision', 'f16', '--max-tokens', '4'], {
        encoding: 'utf8',
        env: { ...process.env, VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' },
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/shader-f16/);
      expect(r.stderr).toMatch(/f32/);
    });

    // Mesa ≥ 25 lavapipe has shader-f16 (.ci/run installs it from bookworm-backports when it can)
    const lavapipe = '/usr/share/vulkan/icd.d/lvp_icd.json';
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${Version} format field
    const mesa = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'mesa-vulkan-drivers'], { encoding: 'utf8' }).stdout ?? '';
    it.skipIf(!existsSync(lavapipe) || Number(/^(\d+)\./.exec(mesa)?.[1] ?? 0) < 25)(
      '--precision f16 on lavapipe prints the same greedy story as the CPU',
      () => {
        const args = [bin, 'generate', '--temperature', '0', '--max-tokens', '24'];
        const gpu = spawnSync(process.execPath, [...args, '--backend', 'webgpu', '--precision', 'f16'], {
          encoding: 'utf8',
          env: { ...process.env, VK_ICD_FILENAMES: lavapipe },
        });
        expect(gpu.status, gpu.stderr).toBe(0);
        const cpu = spawnSync(process.execPath, args, { encoding: 'utf8' });
        expect(gpu.stdout).toBe(cpu.stdout);
      },
    );
  },
);
