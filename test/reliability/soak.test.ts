// Part 2, soak, the fast version: five seconds of the long run's mixed
// load against `metacrypt server` in a child process, every answer right.
// Latency and memory are figures of the long run (soak-long.ts) only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { LoadClient } from './load-client.js';
import {
  SOAK_KINDS,
  SOAK_WEIGHTS,
  SoakCalls,
  soakCycle,
} from './soak-calls.js';
import { percentile, runLoad } from './soak-load.js';
import { heapOf, levelOf, readRssKiB } from './soak-memory.js';
import { startSoakServer } from './soak-server.js';
import type { SoakServer } from './soak-server.js';

describe('soak (smoke)', () => {
  let server: SoakServer;
  let client: LoadClient;

  before(async () => {
    server = await startSoakServer();
    client = new LoadClient(server.url, 32);
  });

  after(async () => {
    client.close();
    await server.stop();
  });

  it('spreads each kind evenly over the cycle, by its weight', () => {
    const cycle = soakCycle();
    for (const kind of SOAK_KINDS) {
      const count = cycle.filter((k) => k === kind).length;
      assert.equal(count, SOAK_WEIGHTS[kind], kind);
    }
    // No kind runs twice in a row unless it holds most of the cycle.
    const runs = cycle.filter((kind, i) => kind === cycle[i + 1]);
    assert.deepEqual(runs, []);
  });

  it('answers five seconds of the mixed load with no wrong answer', async () => {
    const calls = new SoakCalls(client, server);
    await calls.prepare();
    const result = await runLoad(calls, {
      rate: 200,
      seconds: 5,
      maxInFlight: 64,
    });

    assert.deepEqual(result.problems, []);
    assert.equal(result.errors, 0);
    for (const kind of SOAK_KINDS) {
      const stats = result.byKind[kind];
      assert.ok(stats.count > 0, `no ${kind} calls`);
      assert.equal(stats.latencies.length, stats.count, kind);
    }
    const counted = SOAK_KINDS.reduce(
      (sum, kind) => sum + result.byKind[kind].count,
      0,
    );
    assert.equal(counted, result.sent);
    assert.equal(result.sent + result.skipped, 1000);
    assert.deepEqual(server.leaks(), []);
  });

  it('reads the server process memory: its RSS and its heap', async () => {
    assert.notEqual(server.pid, process.pid);
    assert.ok(readRssKiB(server.pid) > 0);
    const metrics = await client.call('GET', '/v1/metrics', {
      token: server.admin,
    });
    assert.equal(metrics.status, 200);
    const heap = heapOf(metrics.text);
    assert.ok(heap.usedKiB > 0 && heap.usedKiB <= heap.totalKiB);
  });

  it('takes the median reading of a window as the memory level', () => {
    const kib = [100, 300, 110, 105, 500, 120];
    const samples = kib.map((value, i) => ({
      second: i * 5,
      rssKiB: value,
      usedKiB: 0,
      totalKiB: 0,
    }));
    const rss = (s: { rssKiB: number }): number => s.rssKiB;
    assert.equal(levelOf(samples, rss, 0, 10), 110);
    assert.equal(levelOf(samples, rss, 10, 25), 115);
    assert.throws(() => levelOf(samples, rss, 40, 50), /no memory reading/);
  });

  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    assert.equal(percentile(values, 50), 5);
    assert.equal(percentile(values, 99), 10);
    assert.equal(percentile(values, 100), 10);
    assert.equal(percentile([], 99), 0);
  });
});
