// .dockerignore: the reader follows Docker's matching rules, and the
// project's file keeps every secret-like path and all build output out of
// the build context while the image's inputs stay in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import { contextFiles, readDockerignore } from './dockerignore-reader.js';
import { secretReason } from './secret-paths.js';

const ignore = readDockerignore(
  readFileSync(projectPath('.dockerignore'), 'utf8'),
);

describe('the .dockerignore reader', () => {
  const excluded = (patterns: string[], path: string): boolean =>
    readDockerignore(patterns.join('\n')).isExcluded(path);

  it('keeps * and ? within one path segment', () => {
    assert.equal(excluded(['*.db'], 'vault.db'), true);
    assert.equal(excluded(['*.db'], 'data/vault.db'), false);
    assert.equal(excluded(['data/*.db'], 'data/vault.db'), true);
    assert.equal(excluded(['data/?.db'], 'data/a.db'), true);
    assert.equal(excluded(['data/?.db'], 'data/ab.db'), false);
    assert.equal(excluded(['a?b'], 'a/b'), false);
  });

  it('lets ** cross any number of directories, none included', () => {
    for (const path of ['x.key', 'a/x.key', 'a/b/c/x.key']) {
      assert.equal(excluded(['**/*.key'], path), true, path);
    }
    assert.equal(excluded(['a/**/z'], 'a/z'), true);
    assert.equal(excluded(['a/**/z'], 'a/b/c/z'), true);
    assert.equal(excluded(['a/**'], 'a/b/c'), true);
    assert.equal(excluded(['**/*.key'], 'a/x.keys'), false);
  });

  it('covers everything under a directory it matches', () => {
    assert.equal(excluded(['test'], 'test/fixtures/tls/server.key'), true);
    assert.equal(excluded(['**/certs'], 'deploy/certs/a/b.txt'), true);
    assert.equal(excluded(['test'], 'src/test/x.ts'), false);
    assert.equal(excluded(['test'], 'tests/x.ts'), false);
  });

  it('lets the last matching pattern decide, ! re-including', () => {
    const rules = ['**/*.toml', '!deploy/examples/*.toml'];
    assert.equal(excluded(rules, 'metacrypt.toml'), true);
    assert.equal(excluded(rules, 'deploy/examples/a.toml'), false);
    assert.equal(excluded(rules, 'deploy/examples/sub/a.toml'), true);
    assert.equal(
      excluded([...rules, '**/*.toml'], 'deploy/examples/a.toml'),
      true,
    );
    assert.equal(excluded(['!a.txt', '*.txt'], 'a.txt'), true);
  });

  it('reads character classes, escapes and literal regex characters', () => {
    assert.equal(excluded(['[a-c].txt'], 'b.txt'), true);
    assert.equal(excluded(['[a-c].txt'], 'd.txt'), false);
    assert.equal(excluded(['[^a-c].txt'], 'd.txt'), true);
    assert.equal(excluded(['\\*.txt'], '*.txt'), true);
    assert.equal(excluded(['\\*.txt'], 'a.txt'), false);
    assert.equal(excluded(['a.txt'], 'abtxt'), false);
    assert.equal(excluded(['a+(b).txt'], 'a+(b).txt'), true);
  });

  it('skips comments and blank lines, and cleans each pattern', () => {
    const reader = readDockerignore(
      '# a comment\n\n  /dist/  \n./a//b\n!  keep\n #not a comment\n',
    );
    assert.deepEqual(
      reader.rules.map((rule) => [rule.pattern, rule.reinclude, rule.line]),
      [
        ['dist', false, 3],
        ['a/b', false, 4],
        ['keep', true, 5],
        ['#not a comment', false, 6],
      ],
    );
    assert.equal(reader.isExcluded('dist/src/a.js'), true);
    assert.equal(reader.isExcluded('a/b'), true);
  });
});

describe("the project's .dockerignore", () => {
  it('excludes every secret-like path', () => {
    const secrets = [
      'certs/server.key',
      'certs/server.crt',
      'deploy/docker/certs/notes.txt',
      'server.key',
      'src/tls/leaked.pem',
      'ca.crt',
      'client.p12',
      'metacrypt.toml',
      'deploy/metacrypt.toml',
      'config/local.toml',
      'deploy/examples/old/metacrypt.toml',
      'data/metacrypt.db',
      'metacrypt.db',
      'metacrypt.db-wal',
      'metacrypt.db-shm',
      'backups/metacrypt-20260314.db',
      '.env',
      '.env.local',
      'deploy/.env',
      'token.json',
      'x/token.json',
      'home/.config/metacrypt/token.json',
      'test/fixtures/tls/server.key',
      'test/fixtures/tls/ca.key',
      'test/fixtures/tls/ca.crt',
    ];
    for (const path of secrets) {
      assert.equal(ignore.isExcluded(path), true, `${path} is excluded`);
    }
  });

  it('excludes build output, dependencies and what the image does not use', () => {
    const local = [
      'node_modules/express/package.json',
      'src/node_modules/x/index.js',
      'dist/src/cli/commands/server.js',
      'oclif.manifest.json',
      '.git/config',
      '.git',
      '.test-output/web/login.png',
      'test/config/load-config.test.ts',
      'bench/transit-http.ts',
      'docs/API.md',
      '.ci/run',
      'profile.cpuprofile',
      'src/server/.vault-server.ts.swp',
      '.vscode/settings.json',
    ];
    for (const path of local) {
      assert.equal(ignore.isExcluded(path), true, `${path} is excluded`);
    }
  });

  it('keeps the build inputs', () => {
    const inputs = [
      'Dockerfile',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.src.json',
      'src/config/schema.ts',
      'src/server/routes/sys-routes.ts',
      'bin/run.js',
      'bin/healthcheck.js',
      'migrations/0001_initial.sql',
      'views/layout.ejs',
      'views/pages/unseal.ejs',
      'deploy/examples/metacrypt.toml',
      'deploy/examples/metacrypt-docker.toml',
    ];
    for (const path of inputs) {
      assert.equal(ignore.isExcluded(path), false, `${path} is kept`);
    }
  });

  it('leaves no secret-like file of this checkout in the context', () => {
    const files = contextFiles(projectPath(), ignore);
    assert.ok(files.includes('src/config/schema.ts'), 'the walk saw src/');
    const leaks = files.filter((path) => secretReason(path) !== null);
    assert.deepEqual(leaks, []);
  });
});
