// Benchmark: how long `metacrypt` takes to start, against starting Node
// with nothing to do, each a fresh process, interleaved in one run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { parseConfig } from '../src/config/index.js';
import { createLogger } from '../src/log/index.js';
import { projectPath } from '../src/paths.js';
import { startVaultServer } from '../src/server/vault-server.js';
import { TLS_FILES } from '../test/fixtures/tls-files.js';
import {
  machineLine,
  markdownTable,
  numberSetting,
  round,
  withTempDir,
} from './common.js';

// The target: --version within three times a bare Node start.
const VERSION_TARGET_RATIO = 3;
const DEFAULT_RUNS = 20;
const BIN = projectPath('bin', 'run.js');

/** Scenario is one command line started afresh in every round. */
interface Scenario {
  readonly name: string;
  readonly args: (addr: string) => readonly string[];
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'node -e 0', args: () => ['-e', '0'] },
  { name: 'metacrypt --version', args: () => [BIN, '--version'] },
  { name: 'metacrypt --help', args: () => [BIN, '--help'] },
  {
    name: 'metacrypt status',
    args: (addr) => [
      BIN,
      'status',
      '--addr',
      addr,
      '--ca-cert',
      TLS_FILES.caCert,
    ],
  },
];

/** timeRun starts node with args and resolves with its wall time in ms. */
function timeRun(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('close', (code) => {
      // status exits 2 for a vault that is not unsealed; anything else
      // means the command failed and its time would mislead.
      if (code !== 0 && code !== 2) {
        reject(new Error(`${args.join(' ')} exited ${String(code)}`));
      }
      resolve(performance.now() - start);
    });
  });
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(
    sorted.length - 1,
    Math.floor((p / 100) * sorted.length),
  );
  return sorted[index] ?? Number.NaN;
}

async function main(): Promise<void> {
  const runs = numberSetting('BENCH_RUNS', DEFAULT_RUNS, true);

  await withTempDir(async (dir) => {
    // Step 1: a real server for `status` to ask, in this process; the
    // commands are child processes, so they never share its event loop.
    const config = parseConfig(
      {
        server: {
          listen_addr: '127.0.0.1:0',
          tls_cert: TLS_FILES.serverCert,
          tls_key: TLS_FILES.serverKey,
        },
        database: { path: join(dir, 'bench.db') },
        mcias: { server_url: 'https://127.0.0.1:1' },
      },
      {},
    );
    const server = await startVaultServer({
      config,
      logger: createLogger({ level: 'error' }),
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dir,
      METACRYPT_CONFIG_DIR: join(dir, 'config'),
      METACRYPT_DATA_DIR: join(dir, 'data'),
      METACRYPT_CACHE_DIR: join(dir, 'cache'),
    };

    // Step 2: a warm-up round, then the rounds, each scenario in turn, so
    // the machine's drift touches all of them alike.
    const times = new Map<string, number[]>(SCENARIOS.map((s) => [s.name, []]));
    try {
      for (let round = -1; round < runs; round++) {
        for (const scenario of SCENARIOS) {
          const ms = await timeRun(scenario.args(server.url), env);
          if (round >= 0) times.get(scenario.name)?.push(ms);
        }
      }
    } finally {
      await server.close();
    }

    // Step 3: medians and ratios to the bare start.
    const stats = SCENARIOS.map((scenario) => {
      const sorted = [...(times.get(scenario.name) ?? [])].sort(
        (a, b) => a - b,
      );
      return {
        name: scenario.name,
        medianMs: percentile(sorted, 50),
        p90Ms: percentile(sorted, 90),
      };
    });
    const bare = stats[0]?.medianMs ?? Number.NaN;
    const rows = stats.map((s) => [
      s.name,
      round(s.medianMs, 1).toString(),
      round(s.p90Ms, 1).toString(),
      round(s.medianMs / bare, 2).toString(),
    ]);
    const version = stats.find((s) => s.name === 'metacrypt --version');
    const versionRatio = (version?.medianMs ?? Number.NaN) / bare;

    console.log(`# cli-cold-start, ${String(runs)} runs each`);
    console.log(machineLine());
    console.log('');
    console.log(
      markdownTable(['command', 'median ms', 'p90 ms', '× node -e 0'], rows),
    );
    console.log('');
    console.log(
      `--version: ${round(versionRatio, 2).toString()}× node -e 0 ` +
        `(target <= ${String(VERSION_TARGET_RATIO)}×: ` +
        `${versionRatio <= VERSION_TARGET_RATIO ? 'met' : 'missed'})`,
    );
    console.log(JSON.stringify({ benchmark: 'cli-cold-start', runs, stats }));
  });
}

await main();
