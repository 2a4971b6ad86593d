// The image's runtime stage without Docker: the files the Dockerfile
// copies, compiled as its build stage compiles them and with production
// packages only, run the way its ENTRYPOINT and CMD run them. It proves
// that the image holds all the program needs, and that its health check
// tells a running server from a stopped one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import { collectOutput } from '../fixtures/child-output.js';
import type { ChildResult } from '../fixtures/child-output.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import { readDockerfile } from './dockerfile-reader.js';
import { readDockerignore } from './dockerignore-reader.js';
import { assembleImage } from './image-assembly.js';
import type { AssembledImage } from './image-assembly.js';

const dir = mkdtempSync(join(tmpdir(), 'metacrypt-image-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let image: AssembledImage;
before(() => {
  image = assembleImage(
    readDockerfile(readFileSync(projectPath('Dockerfile'), 'utf8')),
    readDockerignore(readFileSync(projectPath('.dockerignore'), 'utf8')),
    dir,
  );
});

// The container's environment: the image's ENV, a PATH to find node, and
// the HOME of a user that has none.
function containerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: image.hostPath('/nonexistent'),
    ...image.env,
    ...extra,
  };
}

// `metacrypt`, as the ENTRYPOINT names it, found on the image's PATH.
function entrypoint(): string {
  const [program] = image.entrypoint;
  assert.equal(program, 'metacrypt');
  return image.hostPath(`/usr/local/bin/${program}`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return collectOutput(
    spawn(command, args, {
      cwd: image.workdir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function healthcheck(url: string): Promise<ChildResult> {
  return run(
    process.execPath,
    [image.hostPath('/app/bin/healthcheck.js')],
    containerEnv({ METACRYPT_HEALTHCHECK_URL: url }),
  );
}

// Every path under dir with its size and modification time.
function snapshot(root: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    found.push(`${path} ${stat.size} ${stat.mtimeMs}`);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    }
  };
  walk(root);
  return found;
}

describe('the runtime image', () => {
  it('holds the production packages and none of the development ones', () => {
    const modules = image.hostPath('/app/node_modules');
    for (const name of ['@oclif/core', 'better-sqlite3', 'argon2', 'zod']) {
      assert.ok(existsSync(join(modules, name)), `${name} is there`);
    }
    // typescript stays: cosmiconfig names it as an optional peer, which
    // npm prune --omit=dev keeps once it is installed.
    const devOnly = ['eslint', 'prettier', 'fast-check', 'yaml', 'autocannon'];
    for (const name of devOnly) {
      assert.ok(!existsSync(join(modules, name)), `${name} is not there`);
    }
    assert.ok(!existsSync(image.hostPath('/app/src')), 'no TypeScript');
    assert.ok(!existsSync(image.hostPath('/app/test')), 'no tests');
    assert.ok(existsSync(image.hostPath('/app/oclif.manifest.json')));
    assert.ok(
      existsSync(image.hostPath('/app/deploy/examples/metacrypt-docker.toml')),
    );
  });

  it('answers `metacrypt --version` through the link on PATH', async () => {
    const pkg = JSON.parse(
      readFileSync(projectPath('package.json'), 'utf8'),
    ) as { version: string };
    const result = await run(entrypoint(), ['--version'], containerEnv());
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    assert.match(
      result.stdout,
      new RegExp(`^metacrypt/${pkg.version.replaceAll('.', '\\.')} `),
    );
  });

  it('serves with its CMD, healthy while up and unhealthy once stopped', async () => {
    // Step 1: the configuration where CMD and METACRYPT_CONFIG look.
    const [command, flag, configPath] = image.cmd;
    assert.deepEqual([command, flag], ['server', '--config']);
    const config = image.hostPath(configPath ?? '');
    assert.equal(image.env.METACRYPT_CONFIG, config);
    const database = image.hostPath('/data/metacrypt.db');
    writeServerConfig(config, { database });
    const before = snapshot(image.hostPath('/app'));

    // Step 2: the server, up and healthy; its database in the volume.
    const server = await startServerProcess(config, image.workdir, {
      command: [entrypoint()],
      env: containerEnv(),
    });
    const up = await healthcheck(`${server.url}/v1/status`);
    assert.equal(up.stderr, '');
    assert.equal(up.stdout, 'healthcheck: ok, uninitialized\n');
    assert.equal(up.status, 0);
    assert.ok(existsSync(database), 'the database is in /data');

    // Step 3: stopped, the probe fails with one line saying why.
    assert.equal(await server.stop(), 0);
    const down = await healthcheck(`${server.url}/v1/status`);
    assert.equal(down.status, 1);
    assert.equal(down.stdout, '');
    assert.match(
      down.stderr,
      /^healthcheck: https:\/\/127\.0\.0\.1:\d+\/v1\/status: connect ECONNREFUSED [\d.:]+\n$/,
    );

    // The program wrote nothing under /app, nor made a home directory: in
    // the container it is not root, and the root file system read-only.
    assert.deepEqual(snapshot(image.hostPath('/app')), before);
    assert.deepEqual(readdirSync(image.root).sort(), ['app', 'data', 'usr']);
  });
});
