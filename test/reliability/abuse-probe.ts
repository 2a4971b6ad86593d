// The admin surface probed as a non-admin: every admin endpoint (with
// path and header tricks), every admin-only engine operation through the
// generic engine request and the typed transit routes, and every admin
// form of the web UI, as alice, whom a policy rule lets use every engine
// operation a rule can grant. Then the database must be as it was.
import assert from 'node:assert/strict';

import { EngineRegistry } from '../../src/engine/registry.js';
import { TRANSIT_ENGINE } from '../../src/engines/transit/ops.js';
import { NOTES_ENGINE } from '../fixtures/engines/notes-ops.js';
import type { Harness } from '../server/harness.js';
import { UiClient } from '../server/ui/ui-client.js';
import { changedTables, vaultFingerprint } from './abuse-fingerprint.js';
import {
  endpointProbe,
  exportKind,
  NEW_SEAL_PASSWORD,
  operationInput,
  takesKey,
  uiFields,
} from './abuse-inputs.js';
import type { Probe } from './abuse-inputs.js';
import { send } from './abuse-http.js';
import { classifyRoutes, routeName } from './abuse-routes.js';
import type { DocEndpoint } from './abuse-routes.js';
import { setUpVictims } from './abuse-victims.js';
import type { Victims } from './abuse-victims.js';

/** Via is the way a probe reached the server. */
export type Via = 'REST' | 'engine request' | 'typed route' | 'UI';

/** ProbeRow is one request alice made and what came back. */
export interface ProbeRow {
  readonly via: Via;
  /** The route or operation aimed at: `POST /v1/seal`, `transit/trim-key`. */
  readonly target: string;
  readonly variant: string;
  readonly status: number;
  readonly code: string;
  /** Whether the answer was the refusal expected. */
  readonly refused: boolean;
}

/** ProbeReport is what probeAdminSurface found. */
export interface ProbeReport {
  readonly rows: readonly ProbeRow[];
  readonly adminEndpoints: readonly string[];
  /** Admin-only operations, as `type/operation`, from the registry. */
  readonly adminOperations: readonly string[];
  readonly uiAdminRoutes: readonly string[];
  /** Tables of the database that changed while alice probed. */
  readonly changed: readonly string[];
  /** Warnings logged for the refusals. */
  readonly warnings: number;
  /** Read-only probes repeated as admin, which must answer 200. */
  readonly controls: readonly { target: string; status: number }[];
}

// How a variant's answer is judged: exactly 403 forbidden, or any
// refusal that does not reach the route (403, or 404 for a path that no
// longer names it).
type Expect = 'forbidden' | 'refused';

interface Variant {
  readonly label: string;
  readonly expect: Expect;
  /** Only for GET endpoints. */
  readonly getOnly?: boolean;
  make(probe: Probe, token: string): Request;
}

interface Request extends Probe {
  readonly headers: Record<string, string>;
}

const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

// Ways to dress an admin request up, each refused all the same. Express
// matches paths without regard to case and with an optional trailing
// slash, so those two reach the route and meet its guard.
const VARIANTS: readonly Variant[] = [
  {
    label: 'as documented',
    expect: 'forbidden',
    make: (p, t) => ({ ...p, headers: bearer(t) }),
  },
  {
    label: 'upper-case path',
    expect: 'refused',
    make: (p, t) => ({ ...p, path: p.path.toUpperCase(), headers: bearer(t) }),
  },
  {
    label: 'trailing slash',
    expect: 'refused',
    make: (p, t) => ({ ...p, path: `${p.path}/`, headers: bearer(t) }),
  },
  {
    label: 'doubled slash',
    expect: 'refused',
    make: (p, t) => ({
      ...p,
      path: p.path.replace('/v1/', '/v1//'),
      headers: bearer(t),
    }),
  },
  {
    label: 'percent-encoded letter',
    expect: 'refused',
    make: (p, t) => ({ ...p, path: encodeLetter(p.path), headers: bearer(t) }),
  },
  {
    label: 'admin in the query',
    expect: 'forbidden',
    make: (p, t) => ({
      ...p,
      path: `${p.path}?admin=true&role=admin`,
      headers: bearer(t),
    }),
  },
  {
    label: 'identity headers',
    expect: 'forbidden',
    make: (p, t) => ({
      ...p,
      headers: {
        ...bearer(t),
        'x-forwarded-user': 'admin',
        'x-remote-user': 'admin',
        'x-mcias-roles': 'admin',
        'x-forwarded-for': '127.0.0.1',
        'x-http-method-override': 'GET',
      },
    }),
  },
  {
    label: 'lower-case scheme',
    expect: 'forbidden',
    make: (p, t) => ({ ...p, headers: { authorization: `bearer ${t}` } }),
  },
  {
    label: 'HEAD',
    expect: 'forbidden',
    getOnly: true,
    make: (p, t) => ({ ...p, method: 'HEAD', headers: bearer(t) }),
  },
];

// `/v1/barrier/keys` becomes `/v1/barrier/%6Beys`: the same route to a
// decoder, another to a router that matches the raw path.
function encodeLetter(path: string): string {
  const slash = path.lastIndexOf('/');
  const letter = path.charCodeAt(slash + 1).toString(16);
  return `${path.slice(0, slash + 1)}%${letter}${path.slice(slash + 2)}`;
}

/** probeAdminSurface runs every probe as alice; see the file comment. */
export async function probeAdminSurface(
  h: Harness,
  admin: string,
): Promise<ProbeReport> {
  // Step 1: what there is to probe, and the targets.
  const routes = classifyRoutes();
  assert.deepEqual(routes.unclassified, [], 'routes nobody classified');
  assert.deepEqual(routes.missing, [], 'listed routes the app lacks');
  const victims = await setUpVictims(h, admin);
  h.secret(NEW_SEAL_PASSWORD);
  const alice = await h.login('alice');
  const adminOperations = await registryAdminOperations(h, alice);
  const before = vaultFingerprint(`${h.dir}/vault.db`);
  const warningsBefore = countWarnings(h);

  // Step 2: the probes, each way in.
  const rows: ProbeRow[] = [];
  const adminApi = routes.api.filter((route) => route.who === 'admin');
  await probeEndpoints(h, alice, adminApi, victims, rows);
  await probeOperations(h, alice, adminOperations, victims, rows);
  const uiAdmin = routes.ui.filter((route) => route.who === 'admin');
  await probeUi(h, uiAdmin, victims, rows);

  // Step 3: nothing changed; the refusals were logged for an operator.
  const changed = changedTables(before, vaultFingerprint(`${h.dir}/vault.db`));
  const status = await h.call('GET', '/v1/status');
  assert.deepEqual(status.body, { state: 'unsealed' });
  const warnings = countWarnings(h) - warningsBefore;

  // Step 4: the read-only probes as admin, proving they were well aimed.
  const controls = await adminControls(h, admin, adminApi, victims);
  return {
    rows,
    adminEndpoints: adminApi.map(routeName),
    adminOperations,
    uiAdminRoutes: uiAdmin.map(routeName),
    changed,
    warnings,
    controls,
  };
}

// The admin-only operations as the server describes them, which must be
// what the registry's OperationSpec.adminOnly says.
async function registryAdminOperations(
  h: Harness,
  token: string,
): Promise<string[]> {
  const reply = await h.call('GET', '/v1/engine/types', { token });
  assert.equal(reply.status, 200, reply.text);
  const { types } = reply.body as {
    types: {
      type: string;
      operations: { name: string; admin_only: boolean }[];
    }[];
  };
  const served = types.flatMap(({ type, operations }) =>
    operations.filter((op) => op.admin_only).map((op) => `${type}/${op.name}`),
  );
  const registry = new EngineRegistry([TRANSIT_ENGINE, NOTES_ENGINE]);
  const declared = registry.types().flatMap((type) =>
    Object.entries(registry.ops(type)?.operations ?? {})
      .filter(([, spec]) => spec.adminOnly)
      .map(([name]) => `${type}/${name}`),
  );
  assert.deepEqual(served.sort(), declared.sort());
  assert.ok(declared.length > 0);
  return declared;
}

async function probeEndpoints(
  h: Harness,
  alice: string,
  endpoints: readonly DocEndpoint[],
  victims: Victims,
  rows: ProbeRow[],
): Promise<void> {
  for (const endpoint of endpoints) {
    const aim = endpointProbe(endpoint.method, endpoint.path, victims);
    assert.ok(aim, `no probe for admin endpoint ${routeName(endpoint)}`);
    for (const variant of VARIANTS) {
      if (variant.getOnly === true && endpoint.method !== 'GET') continue;
      const request = variant.make(aim, alice);
      const answer = await probe(h, request);
      rows.push({
        via: 'REST',
        target: routeName(endpoint),
        variant: variant.label,
        ...answer,
        refused: judge(variant.expect, answer, request.method),
      });
    }
  }
}

async function probeOperations(
  h: Harness,
  alice: string,
  operations: readonly string[],
  victims: Victims,
  rows: ProbeRow[],
): Promise<void> {
  const registry = new EngineRegistry([TRANSIT_ENGINE, NOTES_ENGINE]);
  const mounts: Record<string, string> = {
    transit: victims.transitMount,
    notes: victims.notesMount,
  };
  for (const target of operations) {
    const [type = '', operation = ''] = target.split('/');
    const mount = mounts[type];
    assert.ok(mount !== undefined, `no mount of type ${type} to probe`);
    const schema = registry.operation(type, operation)?.input;

    // One probe per victim key where the operation names a key.
    const seen = new Set<string>();
    for (const key of victims.keys) {
      const data = operationInput(type, operation, key);
      assert.ok(data, `no input for admin operation ${target}`);
      assert.ok(schema?.safeParse(data).success, `bad input for ${target}`);
      const id = JSON.stringify(data);
      if (seen.has(id)) continue;
      seen.add(id);
      const variant = takesKey(data) ? `key ${key.type}` : 'no key';

      // The generic engine request.
      const generic = await probe(h, {
        method: 'POST',
        path: '/v1/engine/request',
        json: { mount, operation, data },
        headers: bearer(alice),
      });
      rows.push({
        via: 'engine request',
        target,
        variant,
        ...generic,
        refused: judge('forbidden', generic, 'POST'),
      });

      // The typed route, key in the path; on a notes mount, it is not a
      // transit mount, which is a refusal of its own.
      const { name, ...rest } = data;
      const typedPath =
        `/v1/transit/${mount}/${operation}` +
        (typeof name === 'string' ? `/${name}` : '');
      const typed = await probe(h, {
        method: 'POST',
        path: typedPath,
        json: rest,
        headers: bearer(alice),
      });
      rows.push({
        via: 'typed route',
        target,
        variant,
        ...typed,
        refused: judge(
          type === 'transit' ? 'forbidden' : 'refused',
          typed,
          'POST',
        ),
      });
    }
  }
}

async function probeUi(
  h: Harness,
  routes: readonly DocEndpoint[],
  victims: Victims,
  rows: ProbeRow[],
): Promise<void> {
  const ui = new UiClient(h);
  await ui.login('alice');
  for (const route of routes) {
    const path = route.path.replace(':mount', victims.transitMount);
    const seen = new Set<string>();
    for (const key of victims.keys) {
      const fields = uiFields(route.path, victims, key);
      assert.ok(fields, `no form fields for UI route ${routeName(route)}`);
      const id = JSON.stringify(fields);
      if (seen.has(id)) continue;
      seen.add(id);
      const variant = 'type' in fields ? `key ${key.type}` : 'form';
      for (const htmx of [false, true]) {
        const reply =
          route.method === 'GET'
            ? await ui.get(path, { htmx })
            : await ui.post(path, fields, { htmx });
        const answer = { status: reply.status, code: uiCode(reply.text) };
        rows.push({
          via: 'UI',
          target: routeName(route),
          variant: htmx ? `${variant}, htmx` : variant,
          ...answer,
          refused: answer.status === 403 && answer.code === 'forbidden',
        });
      }
    }
  }
}

// A UI refusal is a page (or fragment) with the message in an alert.
function uiCode(text: string): string {
  return /role="alert">\s*forbidden\s*</.test(text) ? 'forbidden' : '';
}

async function adminControls(
  h: Harness,
  admin: string,
  endpoints: readonly DocEndpoint[],
  victims: Victims,
): Promise<{ target: string; status: number }[]> {
  const controls: { target: string; status: number }[] = [];
  for (const endpoint of endpoints.filter((e) => e.method === 'GET')) {
    const aim = endpointProbe(endpoint.method, endpoint.path, victims);
    assert.ok(aim);
    const answer = await probe(h, { ...aim, headers: bearer(admin) });
    controls.push({ target: routeName(endpoint), status: answer.status });
  }
  for (const key of victims.keys) {
    const answer = await h.call('POST', '/v1/engine/request', {
      token: admin,
      json: {
        mount: victims.transitMount,
        operation: 'export-key',
        data: { name: key.name, type: exportKind(key) },
      },
    });
    controls.push({
      target: `transit/export-key (${key.type})`,
      status: answer.status,
    });
  }
  return controls;
}

function judge(
  expect: Expect,
  answer: { status: number; code: string },
  method: string,
): boolean {
  // A HEAD reply has no body to carry the code.
  const forbidden =
    answer.status === 403 && (method === 'HEAD' || answer.code === 'forbidden');
  return expect === 'forbidden'
    ? forbidden
    : forbidden || answer.status === 404;
}

async function probe(
  h: Harness,
  request: Request,
): Promise<{ status: number; code: string }> {
  const { status, code } = await send(h.url, request);
  return { status, code };
}

function countWarnings(h: Harness): number {
  return h.logLines.filter(
    (line) =>
      line.includes('"admin operation refused"') ||
      line.includes('"engine request refused"'),
  ).length;
}
