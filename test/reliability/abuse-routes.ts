// Every route the server serves, read from Express itself, and who each
// is for, read from docs/API.md: an abuse test that probes the admin
// routes then cannot miss one added later.
import { readFileSync } from 'node:fs';

import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { projectPath } from '../../src/paths.js';
import { createApp } from '../../src/server/app.js';
import type { ServerDeps } from '../../src/server/server-parts.js';

/** Who may call a route: no token, any token, or an admin's. */
export type Who = 'anyone' | 'user' | 'admin';

/** AppRoute is one method and path template the app answers. */
export interface AppRoute {
  readonly method: string;
  /** The template, as Express holds it: `/v1/policy/rule/:id`. */
  readonly path: string;
}

/** DocEndpoint is one row of docs/API.md's table of endpoints. */
export interface DocEndpoint extends AppRoute {
  readonly who: Who;
}

// The shape of Express 5's router layers, as far as walking them needs.
interface Layer {
  readonly route?: {
    readonly path: unknown;
    readonly methods: Readonly<Record<string, boolean>>;
  };
  readonly handle?: { readonly stack?: readonly Layer[] };
  readonly rawPath?: unknown;
}

/**
 * appRoutes builds the real application, with dependencies that are
 * never called (building listens on nothing and runs no handler), and
 * lists every route of every router in it, in the order Express tries
 * them.
 */
export function appRoutes(): AppRoute[] {
  const config = parseConfig(
    {
      server: { listen_addr: '127.0.0.1:0', tls_cert: 'c', tls_key: 'k' },
      database: { path: 'unused.db' },
      mcias: { server_url: 'https://127.0.0.1:1' },
    },
    {},
  );
  // The UI's seal epoch subscribes to the worker while it is built.
  const deps = {
    config,
    logger: createLogger({ level: 'error' }),
    metrics: {},
    worker: { onStateChange: (): void => undefined },
    auth: {},
    policy: {},
    engines: {},
  } as unknown as ServerDeps;
  const app = createApp(deps) as unknown as {
    router: { stack: readonly Layer[] };
  };
  const routes: AppRoute[] = [];
  walk(app.router.stack, '', routes);
  return routes;
}

function walk(stack: readonly Layer[], base: string, out: AppRoute[]): void {
  for (const layer of stack) {
    const { route } = layer;
    if (route !== undefined && typeof route.path === 'string') {
      for (const method of Object.keys(route.methods)) {
        out.push({ method: method.toUpperCase(), path: base + route.path });
      }
      continue;
    }
    const inner = layer.handle?.stack;
    if (inner === undefined) continue;
    const mounted = typeof layer.rawPath === 'string' ? layer.rawPath : '';
    walk(inner, base + (mounted === '/' ? '' : mounted), out);
  }
}

/**
 * docEndpoints reads the endpoint table at the top of docs/API.md:
 * rows such as "| `POST /v1/seal` | admin | ... |". Metrics, "admin, or
 * anyone", count as admin: public only when configured so.
 */
export function docEndpoints(): DocEndpoint[] {
  const text = readFileSync(projectPath('docs', 'API.md'), 'utf8');
  const rows: DocEndpoint[] = [];
  const pattern = /^\| `([A-Z]+) (\/v1\/[^`]*)` \| ([^|]+) \|/gm;
  for (const match of text.matchAll(pattern)) {
    const [, method = '', path = '', who = ''] = match;
    rows.push({ method, path, who: whoOf(who.trim()) });
  }
  return rows;
}

function whoOf(text: string): Who {
  if (text.startsWith('admin')) return 'admin';
  if (text.startsWith('anyone')) return 'anyone';
  return 'user';
}

/** routeName is `METHOD path`, the key of the tables below. */
export function routeName(route: AppRoute): string {
  return `${route.method} ${route.path}`;
}

/**
 * UNDOCUMENTED_API are API routes the endpoint table does not list as
 * rows of their own, with who may call them.
 */
export const UNDOCUMENTED_API: Readonly<Record<string, Who>> = {
  // The typed transit route for operations without a key (list-keys),
  // described in the transit section; user and policy, like the other.
  'POST /v1/transit/:mount/:operation': 'user',
};

/**
 * UI_ROUTES say who each web UI route is for. A route the app serves
 * that is missing here fails the abuse test, so a new admin form cannot
 * go unprobed.
 */
export const UI_ROUTES: Readonly<Record<string, Who>> = {
  'GET /static/htmx.min.js': 'anyone',
  'GET /': 'anyone',
  'GET /init': 'anyone',
  'POST /init': 'anyone',
  'GET /unseal': 'anyone',
  'POST /unseal': 'anyone',
  'GET /login': 'anyone',
  'POST /login': 'anyone',
  'GET /logout': 'user',
  'POST /logout': 'user',
  'GET /dashboard': 'user',
  'POST /dashboard/mount': 'admin',
  'POST /dashboard/unmount': 'admin',
  'POST /dashboard/rules': 'admin',
  'POST /dashboard/rules/delete': 'admin',
  'GET /dashboard/seal': 'admin',
  'POST /dashboard/seal': 'admin',
  'POST /dashboard/transit/:mount/create-key': 'admin',
  'POST /dashboard/transit/:mount/encrypt': 'user',
  'POST /dashboard/transit/:mount/decrypt': 'user',
};

/**
 * RouteClasses are every route the app serves, sorted by who may call
 * it, and what could not be sorted (which a test requires to be empty).
 */
export interface RouteClasses {
  readonly api: readonly DocEndpoint[];
  readonly ui: readonly DocEndpoint[];
  /** App routes that neither the docs nor the tables here name. */
  readonly unclassified: readonly string[];
  /** Documented or listed routes the app does not serve. */
  readonly missing: readonly string[];
}

/** classifyRoutes joins the app's routes with who may call each. */
export function classifyRoutes(): RouteClasses {
  const documented = new Map(
    docEndpoints().map((endpoint) => [routeName(endpoint), endpoint.who]),
  );
  const routes = appRoutes();
  const api: DocEndpoint[] = [];
  const ui: DocEndpoint[] = [];
  const unclassified: string[] = [];
  for (const route of routes) {
    const name = routeName(route);
    const isApi = route.path.startsWith('/v1/');
    const who = isApi
      ? (documented.get(name) ?? UNDOCUMENTED_API[name])
      : UI_ROUTES[name];
    if (who === undefined) {
      unclassified.push(name);
      continue;
    }
    (isApi ? api : ui).push({ ...route, who });
  }
  const served = new Set(routes.map(routeName));
  const missing = [
    ...documented.keys(),
    ...Object.keys(UNDOCUMENTED_API),
    ...Object.keys(UI_ROUTES),
  ].filter((name) => !served.has(name));
  return { api, ui, unclassified, missing };
}
