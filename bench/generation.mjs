/** How long the CLI takes: render-only per combination, and one full default create (install + verify). */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI, SUPPORTED_COMBINATIONS } from './project.mjs';
import { median, run } from './support.mjs';

const RENDER_RUNS = Number(process.env.BENCH_RENDER_RUNS ?? 3);

async function timeCli(args, timeoutMs) {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [CLI, ...args], { timeoutMs });
  return { wallMs: Math.round(performance.now() - started), stdout };
}

/** Process wall time of `create <dir> --no-install --no-git --yes`, median of RENDER_RUNS fresh renders. */
export async function benchRenderOnly(workspace, log) {
  const results = [];
  for (const { framework, storage } of SUPPORTED_COMBINATIONS) {
    const dir = join(workspace, 'render', `${framework}-${storage}`);
    const times = [];
    for (let i = 0; i < RENDER_RUNS; i++) {
      await rm(dir, { recursive: true, force: true });
      const args = [
        dir,
        '--framework',
        framework,
        '--storage',
        storage,
        '--no-install',
        '--no-git',
        '--yes',
      ];
      times.push((await timeCli(args, 60_000)).wallMs);
    }
    results.push({
      framework,
      storage,
      medianMs: median(times),
      runsMs: times,
    });
    log(`render ${framework}+${storage}: ${median(times)} ms (runs ${times.join(', ')})`);
  }
  await rm(join(workspace, 'render'), { recursive: true, force: true });
  return results;
}

/** The default create with install and verify, once; npm's cache is warm from the runtime projects. */
export async function benchFullCreate(workspace, log) {
  const dir = join(workspace, 'full-create');
  await rm(dir, { recursive: true, force: true });
  const { wallMs, stdout } = await timeCli([dir, '--yes', '--no-git', '--json'], 8 * 60_000);
  const result = JSON.parse(stdout);
  if (!result.ok) throw new Error(`full create failed: ${JSON.stringify(result.error)}`);
  const installMs = result.install?.durationMs ?? 0;
  const verifyMs = result.verify?.durationMs ?? 0;
  const full = {
    framework: result.answers.framework,
    storage: result.answers.storage,
    wallMs,
    installMs,
    verifyMs,
    // Everything that is neither install nor verify: start-up, rendering, formatting, writing.
    renderMs: wallMs - installMs - verifyMs,
    tests: result.verify?.tests ?? null,
  };
  log(`full create: ${wallMs} ms (install ${installMs}, verify ${verifyMs})`);
  await rm(dir, { recursive: true, force: true });
  return full;
}
