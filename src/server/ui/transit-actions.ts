// The transit forms of the dashboard: create a key (admins), encrypt a
// text and decrypt a ciphertext back to text, each through the engine
// service, so the policy decides exactly as it does for the API.
import type { Request, Router } from 'express';

import { isJsonObject } from '../../engine/json.js';
import type { JsonObject } from '../../engine/json.js';
import { isMountName } from '../../engine/mount-name.js';
import { MetacryptError } from '../../errors/index.js';
import { dashboardAction } from './dashboard-action.js';
import type { DashboardChains } from './dashboard-pages.js';
import { required } from './dashboard-pages.js';
import { field } from './form-body.js';
import type { UiKit } from './ui-kit.js';
import { sessionOf } from './ui-session.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** transitActions adds /dashboard/transit/:mount/<action> to router. */
export function transitActions(
  router: Router,
  kit: UiKit,
  chains: DashboardChains,
): void {
  const run = (
    req: Request,
    operation: string,
    data: JsonObject,
  ): Promise<unknown> =>
    kit.engines.request(sessionOf(req).identity, {
      mount: mountOf(req),
      operation,
      data,
      type: 'transit',
    });
  const form = (action: string) => (req: Request) =>
    `${action}:${mountOf(req)}`;

  // Admin only in transit's catalogue, so the policy would refuse anyone
  // else too; the form is shown to admins only.
  router.post(
    '/dashboard/transit/:mount/create-key',
    ...chains.adminPost,
    dashboardAction(kit, {
      section: 'engines',
      form: form('create-key'),
      keep: ['name', 'type'],
      work: async (req) => {
        const name = required(req, 'name');
        const type = field(req, 'type');
        await run(req, 'create-key', { name, ...(type ? { type } : {}) });
        return { notice: `key ${name} created`, values: { key: name } };
      },
    }),
  );

  // The text is sent as its UTF-8 bytes, in base64 as transit takes it.
  router.post(
    '/dashboard/transit/:mount/encrypt',
    ...chains.post,
    dashboardAction(kit, {
      section: 'engines',
      form: form('encrypt'),
      keep: ['key'],
      work: async (req) => {
        const key = required(req, 'key');
        const plaintext = Buffer.from(field(req, 'plaintext'), 'utf8');
        const reply = await run(req, 'encrypt', {
          name: key,
          plaintext: plaintext.toString('base64'),
        });
        return { result: stringField(reply, 'ciphertext'), values: { key } };
      },
    }),
  );

  // What decrypts to text is shown as text; other bytes as base64.
  router.post(
    '/dashboard/transit/:mount/decrypt',
    ...chains.post,
    dashboardAction(kit, {
      section: 'engines',
      form: form('decrypt'),
      keep: ['key', 'ciphertext'],
      work: async (req) => {
        const key = required(req, 'key');
        const reply = await run(req, 'decrypt', {
          name: key,
          ciphertext: required(req, 'ciphertext'),
        });
        const bytes = Buffer.from(stringField(reply, 'plaintext'), 'base64');
        return { result: asText(bytes), values: { key } };
      },
    }),
  );
}

// A mount name outside the rule cannot exist, and is never echoed.
function mountOf(req: Request): string {
  const mount: unknown = req.params.mount;
  if (!isMountName(mount)) throw new MetacryptError('not_found');
  return mount;
}

function stringField(reply: unknown, name: string): string {
  const value = isJsonObject(reply) ? reply[name] : undefined;
  if (typeof value !== 'string') {
    throw new MetacryptError('internal', `ui: transit reply has no ${name}`);
  }
  return value;
}

function asText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return `(not UTF-8 text; base64) ${bytes.toString('base64')}`;
  }
}
