// The Dockerfile: two stages on the same slim Node image, a non-root
// runtime with a health check, the volume and port the runbook names, no
// secret copied in, and every COPY source something that exists.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import {
  copiesOf,
  healthcheckCommand,
  instructionsOf,
  pairs,
  readDockerfile,
} from './dockerfile-reader.js';
import type { Stage } from './dockerfile-reader.js';
import { contextFiles, readDockerignore } from './dockerignore-reader.js';
import { secretReason } from './secret-paths.js';

const dockerfile = readDockerfile(
  readFileSync(projectPath('Dockerfile'), 'utf8'),
);
const ignore = readDockerignore(
  readFileSync(projectPath('.dockerignore'), 'utf8'),
);
const [build] = dockerfile.stages;
const final = dockerfile.stages.at(-1);

function stage(found: Stage | undefined): Stage {
  assert.ok(found !== undefined, 'the Dockerfile has a stage');
  return found;
}

function last(list: readonly string[], what: string): string {
  const value = list.at(-1);
  assert.ok(value !== undefined, `the final stage has ${what}`);
  return value;
}

function words(keyword: string): string[] {
  return instructionsOf(stage(final), keyword).flatMap(
    (i) => i.exec ?? i.text.split(/\s+/),
  );
}

// A build-stage path, such as /app/dist/src, relative to the build's
// WORKDIR (/app), which is the repository root's place in the stage.
function inBuildStage(path: string): string {
  const workdir = last(
    instructionsOf(stage(build), 'WORKDIR').map((i) => i.text),
    'a WORKDIR',
  );
  assert.ok(path.startsWith(`${workdir}/`), `${path} is under ${workdir}`);
  return posix.relative(workdir, path);
}

describe('Dockerfile stages', () => {
  it('builds in a stage of its own and runs in a second one', () => {
    assert.ok(dockerfile.stages.length >= 2);
    assert.equal(stage(build).name, 'build');
    assert.notEqual(final, build);
  });

  it('runs on the same slim Node LTS image it builds on', () => {
    const image = dockerfile.globalArgs.get('NODE_IMAGE');
    assert.match(image ?? '', /^node:(\d+)-[a-z]+-slim$/);
    const major = Number(/^node:(\d+)/.exec(image ?? '')?.[1]);
    assert.ok(major >= 20 && major % 2 === 0, `${major} is an LTS line`);

    assert.equal(stage(build).image, '${NODE_IMAGE}');
    assert.equal(stage(final).image, '${NODE_IMAGE}');
    assert.equal(stage(final).resolvedImage, image);
  });

  it('builds only src/, with the native toolchain', () => {
    const runs = instructionsOf(stage(build), 'RUN').map((i) => i.text);
    assert.ok(
      runs.some((run) => /apt-get install .*python3 make g\+\+/.test(run)),
    );
    assert.ok(runs.includes('npm ci'));
    assert.ok(
      runs.includes(
        'npx tsc -p tsconfig.src.json && node dist/src/cli/write-manifest.js',
      ),
    );
    assert.ok(runs.includes('npm prune --omit=dev'));

    const tsconfig = readFileSync(projectPath('tsconfig.src.json'), 'utf8');
    const json = JSON.parse(tsconfig.replace(/^\/\/.*$/gm, '')) as object;
    assert.deepEqual(json, {
      extends: './tsconfig.json',
      include: ['src'],
    });
  });
});

describe('the runtime stage', () => {
  it('runs as the numeric user 10001:10001, created with those ids', () => {
    const user = last(words('USER'), 'a USER');
    assert.equal(user, '10001:10001');
    assert.doesNotMatch(user, /^(?:root|0)(?::|$)/);

    const runs = instructionsOf(stage(final), 'RUN').map((i) => i.text);
    const creates = runs.find((run) => run.includes('useradd'));
    assert.match(creates ?? '', /groupadd --gid 10001 metacrypt/);
    assert.match(creates ?? '', /useradd --uid 10001 --gid 10001/);
    assert.match(creates ?? '', /--shell \/usr\/sbin\/nologin/);
    assert.match(creates ?? '', /chown 10001:10001 \/data/);
    assert.match(creates ?? '', /chmod 0700 \/data/);
  });

  it('checks its health with bin/healthcheck.js', () => {
    const checks = instructionsOf(stage(final), 'HEALTHCHECK');
    assert.equal(checks.length, 1);
    const [check] = checks;
    assert.ok(check !== undefined);
    assert.deepEqual(healthcheckCommand(check), [
      'node',
      '/app/bin/healthcheck.js',
    ]);
    for (const flag of ['interval', 'timeout', 'start-period', 'retries']) {
      assert.ok(check.flags.has(flag), `HEALTHCHECK --${flag}`);
    }
    // The probe's own 4 s limit must end before Docker's does.
    assert.ok(Number.parseInt(check.flags.get('timeout') ?? '', 10) > 4);

    const probe = readFileSync(projectPath('bin', 'healthcheck.js'), 'utf8');
    assert.ok(probe.includes("'https://127.0.0.1:8443/v1/status'"));
  });

  it('exposes 8443 and keeps its state in the /data volume', () => {
    assert.deepEqual(words('EXPOSE'), ['8443']);
    assert.deepEqual(words('VOLUME'), ['/data']);
    assert.equal(last(words('WORKDIR'), 'a WORKDIR'), '/data');
  });

  it('starts `metacrypt server` on /data/metacrypt.toml', () => {
    const env = new Map(
      instructionsOf(stage(final), 'ENV').flatMap((i) => [...pairs(i.text)]),
    );
    assert.equal(env.get('NODE_ENV'), 'production');
    assert.equal(env.get('METACRYPT_CONFIG'), '/data/metacrypt.toml');

    const [entrypoint] = instructionsOf(stage(final), 'ENTRYPOINT');
    const [cmd] = instructionsOf(stage(final), 'CMD');
    assert.deepEqual(entrypoint?.exec, ['metacrypt']);
    assert.deepEqual(cmd?.exec, ['server', '--config', '/data/metacrypt.toml']);

    const runs = instructionsOf(stage(final), 'RUN').map((i) => i.text);
    assert.ok(runs.includes('ln -s /app/bin/run.js /usr/local/bin/metacrypt'));
    const run = projectPath('bin', 'run.js');
    assert.ok(readFileSync(run, 'utf8').startsWith('#!/usr/bin/env node\n'));
    assert.equal(statSync(run).mode & 0o111, 0o111, 'bin/run.js executable');
  });

  it('carries the OCI labels', () => {
    const labels = new Map(
      instructionsOf(stage(final), 'LABEL').flatMap((i) => [...pairs(i.text)]),
    );
    assert.equal(labels.get('org.opencontainers.image.title'), 'Metacrypt');
    assert.equal(labels.get('org.opencontainers.image.licenses'), 'MIT');
    assert.ok(labels.has('org.opencontainers.image.description'));
    assert.ok(labels.has('org.opencontainers.image.source'));
  });
});

describe('what the image is made of', () => {
  const allCopies = dockerfile.stages.flatMap((s) => copiesOf(s));
  const contextCopies = allCopies.filter((copy) => copy.from === null);

  it('uses COPY only, never ADD, which can fetch URLs and unpack archives', () => {
    assert.deepEqual(
      allCopies.filter((copy) => copy.keyword === 'ADD'),
      [],
    );
  });

  it('copies no source named like a secret', () => {
    for (const copy of allCopies) {
      for (const source of copy.sources) {
        assert.equal(
          secretReason(source),
          null,
          `line ${copy.line}: ${source}`,
        );
      }
    }
  });

  it('brings no secret-like file in from the build context', () => {
    const files = contextFiles(projectPath(), ignore);
    const copied = files.filter((file) =>
      contextCopies.some((copy) =>
        copy.sources.some(
          (source) => file === source || file.startsWith(`${source}/`),
        ),
      ),
    );
    assert.ok(copied.includes('src/config/schema.ts'));
    assert.ok(copied.includes('deploy/examples/metacrypt-docker.toml'));
    assert.deepEqual(
      copied.filter((file) => secretReason(file) !== null),
      [],
    );
  });

  it('names no secret in an ENV or ARG', () => {
    for (const s of dockerfile.stages) {
      for (const i of [
        ...instructionsOf(s, 'ENV'),
        ...instructionsOf(s, 'ARG'),
      ]) {
        for (const name of pairs(i.text).keys()) {
          assert.doesNotMatch(name, /PASSWORD|TOKEN|SECRET|KEY/i, name);
        }
      }
    }
    for (const name of dockerfile.globalArgs.keys()) {
      assert.doesNotMatch(name, /PASSWORD|TOKEN|SECRET|KEY/i, name);
    }
  });

  it('copies from the context only what exists and is not ignored', () => {
    assert.ok(contextCopies.length > 0);
    for (const copy of contextCopies) {
      for (const source of copy.sources) {
        assert.ok(existsSync(projectPath(source)), `${source} exists`);
        assert.equal(ignore.isExcluded(source), false, `${source} is sent`);
      }
    }
  });

  it('copies into the runtime only what the build stage holds', () => {
    const fromBuild = copiesOf(stage(final)).filter((c) => c.from !== null);
    const sources = fromBuild.flatMap((copy) => {
      assert.equal(copy.from, 'build', `line ${copy.line}`);
      return copy.sources.map(inBuildStage);
    });
    assert.deepEqual(sources.sort(), [
      'bin',
      'deploy/examples',
      'dist/src',
      'migrations',
      'node_modules',
      'oclif.manifest.json',
      'package-lock.json',
      'package.json',
      'views',
    ]);

    // Each is copied into the build stage from the context, or made there
    // by npm ci (node_modules) or the build (dist/src, the manifest), as
    // it is in this built checkout.
    const copiedIn = copiesOf(stage(build)).flatMap((copy) =>
      copy.sources.map((source) =>
        copy.destination.endsWith('/')
          ? posix.join(copy.destination, posix.basename(source))
          : copy.destination,
      ),
    );
    for (const source of sources) {
      const made = ['node_modules', 'dist/src', 'oclif.manifest.json'];
      const inStage =
        made.includes(source) ||
        copiedIn.some((dest) => posix.normalize(dest) === source);
      assert.ok(inStage, `${source} is in the build stage`);
      assert.ok(existsSync(projectPath(source)), `${source} exists`);
    }
  });
});

describe('the Dockerfile reader', () => {
  const text = [
    '# syntax=docker/dockerfile:1',
    'ARG BASE=node:24-bookworm-slim OTHER',
    'from ${BASE} as first',
    'run echo one \\',
    '    # a comment inside the continuation',
    '',
    '    && echo two',
    'Copy --chown=1:1 ["a b", "c", "/dest/"]',
    'FROM $BASE',
    'env A=1 B="two words" \\',
    '    C=3',
    'ENV OLD style value',
    'healthcheck --interval=5s CMD curl -f http://x/',
    'CMD ["run"]',
    '',
  ].join('\n');
  const read = readDockerfile(text);
  const [first, second] = read.stages;

  it('reads ARGs before FROM and puts them into FROM', () => {
    assert.deepEqual(
      [...read.globalArgs],
      [
        ['BASE', 'node:24-bookworm-slim'],
        ['OTHER', ''],
      ],
    );
    assert.equal(stage(first).name, 'first');
    assert.equal(stage(first).resolvedImage, 'node:24-bookworm-slim');
    assert.equal(stage(second).name, null);
    assert.equal(stage(second).resolvedImage, 'node:24-bookworm-slim');
  });

  it('joins continuations, drops comments, reads keywords in any case', () => {
    const [run] = instructionsOf(stage(first), 'RUN');
    assert.equal(run?.text, 'echo one     && echo two');
    assert.equal(run.line, 4);
    assert.equal(run.exec, null);
  });

  it('reads exec forms, flags and COPY operands', () => {
    assert.deepEqual(copiesOf(stage(first)), [
      {
        keyword: 'COPY',
        from: null,
        sources: ['a b', 'c'],
        destination: '/dest/',
        line: 8,
      },
    ]);
    const [copy] = instructionsOf(stage(first), 'copy');
    assert.equal(copy?.flags.get('chown'), '1:1');
    assert.deepEqual(instructionsOf(stage(second), 'CMD')[0]?.exec, ['run']);
  });

  it('reads key=value pairs with quotes, and the old ENV form', () => {
    const envs = instructionsOf(stage(second), 'ENV').map((i) => [
      ...pairs(i.text),
    ]);
    assert.deepEqual(envs, [
      [
        ['A', '1'],
        ['B', 'two words'],
        ['C', '3'],
      ],
      [['OLD', 'style value']],
    ]);
  });

  it('reads a shell-form HEALTHCHECK as sh -c', () => {
    const [check] = instructionsOf(stage(second), 'HEALTHCHECK');
    assert.ok(check !== undefined);
    assert.equal(check.flags.get('interval'), '5s');
    assert.deepEqual(healthcheckCommand(check), [
      '/bin/sh',
      '-c',
      'curl -f http://x/',
    ]);
  });
});
