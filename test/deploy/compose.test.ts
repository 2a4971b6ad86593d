// deploy/docker/docker-compose.yml, read as Compose reads it: the image
// built from the repository's Dockerfile, the operator's metacrypt-data
// volume at /data, port 8443, and the container locked down.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { parse } from 'yaml';

import { projectPath } from '../../src/paths.js';
import { instructionsOf, readDockerfile } from './dockerfile-reader.js';

const COMPOSE_FILE = projectPath('deploy', 'docker', 'docker-compose.yml');

interface Service {
  readonly build?: { readonly context?: string; readonly dockerfile?: string };
  readonly image?: string;
  readonly restart?: string;
  readonly init?: boolean;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly read_only?: boolean;
  readonly tmpfs?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly cap_add?: readonly string[];
  readonly security_opt?: readonly string[];
  readonly ulimits?: Readonly<Record<string, unknown>>;
  readonly privileged?: boolean;
  readonly user?: string;
  readonly network_mode?: string;
  readonly pid?: string;
  readonly environment?: unknown;
}

interface ComposeFile {
  readonly services: Readonly<Record<string, Service | undefined>>;
  readonly volumes?: Readonly<
    Record<string, { readonly external?: boolean; readonly name?: string }>
  >;
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;

function service(): Service {
  const found = compose.services.metacrypt;
  assert.ok(found !== undefined, 'a metacrypt service');
  return found;
}

describe('the compose file', () => {
  it('builds the repository root with its Dockerfile, as npm run docker does', () => {
    const { build, image } = service();
    const context = resolve(dirname(COMPOSE_FILE), build?.context ?? '.');
    assert.equal(context, projectPath());
    assert.equal(build?.dockerfile, 'Dockerfile');
    assert.ok(existsSync(resolve(context, 'Dockerfile')));

    assert.equal(image, 'metacrypt:latest');
    const pkg = JSON.parse(
      readFileSync(projectPath('package.json'), 'utf8'),
    ) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.docker, `docker build -t ${image} .`);
  });

  it('mounts the external volume metacrypt-data at /data', () => {
    assert.deepEqual(service().volumes, ['metacrypt-data:/data']);
    const volume = compose.volumes?.['metacrypt-data'];
    assert.equal(volume?.external, true);
    // Compose would otherwise look for <project>_metacrypt-data.
    assert.equal(volume.name ?? 'metacrypt-data', 'metacrypt-data');
  });

  it('publishes 8443, the port the image exposes', () => {
    const dockerfile = readDockerfile(
      readFileSync(projectPath('Dockerfile'), 'utf8'),
    );
    const final = dockerfile.stages.at(-1);
    assert.ok(final !== undefined);
    const exposed = instructionsOf(final, 'EXPOSE').map((i) => i.text);
    assert.deepEqual(service().ports, ['8443:8443']);
    assert.deepEqual(exposed, ['8443']);
  });

  it('runs unprivileged, read-only, with no capabilities or core dumps', () => {
    const s = service();
    assert.notEqual(s.privileged, true);
    assert.deepEqual(s.cap_drop, ['ALL']);
    assert.equal(s.cap_add, undefined);
    assert.ok(s.security_opt?.includes('no-new-privileges:true'));
    assert.equal(s.read_only, true);
    assert.ok(s.tmpfs?.some((entry) => entry.split(':')[0] === '/tmp'));
    assert.equal(s.ulimits?.core, 0);

    // Nothing that would undo the image's non-root user or isolation.
    assert.equal(s.user, undefined);
    assert.equal(s.network_mode, undefined);
    assert.equal(s.pid, undefined);
    assert.equal(s.environment, undefined);
  });

  it('restarts on failure and runs under an init', () => {
    assert.equal(service().restart, 'unless-stopped');
    assert.equal(service().init, true);
  });
});
