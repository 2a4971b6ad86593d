// The dashboard and the admin actions on it: mount and unmount engines,
// create and delete policy rules, and seal the vault after a
// confirmation step.
import type { Request, RequestHandler, Router } from 'express';

import { MetacryptError } from '../../errors/index.js';
import { checkCsrf } from './csrf-guard.js';
import { dashboardAction } from './dashboard-action.js';
import { NO_FLASH, sendDashboard } from './dashboard-model.js';
import { field, fieldList } from './form-body.js';
import { pageHeaders } from './page-headers.js';
import type { UiKit } from './ui-kit.js';
import { isHtmx, redirect, sendFragment, sendPage } from './ui-render.js';
import {
  endSession,
  loadSession,
  requireAdmin,
  requireSession,
  sessionOf,
} from './ui-session.js';

/**
 * dashboardChains are the middleware a dashboard route starts with: a
 * page needs a session; a post is parsed, passes the CSRF check, then
 * needs a session; an admin post also the admin role.
 */
export interface DashboardChains {
  readonly page: RequestHandler[];
  readonly post: RequestHandler[];
  readonly adminPost: RequestHandler[];
}

/** dashboardChains builds the chains once for every dashboard route. */
export function dashboardChains(kit: UiKit): DashboardChains {
  const headers = pageHeaders();
  const session = [loadSession(kit), requireSession(kit)];
  const post = [headers, ...kit.form, checkCsrf(kit), ...session];
  return {
    page: [headers, ...session],
    post,
    adminPost: [...post, requireAdmin(kit)],
  };
}

/** dashboardPages adds /dashboard and its admin actions to router. */
export function dashboardPages(
  router: Router,
  kit: UiKit,
  chains: DashboardChains,
): void {
  const { engines, policy, logger } = kit;

  router.get('/dashboard', ...chains.page, (req, res) =>
    sendDashboard(kit, req, res, undefined, NO_FLASH),
  );

  router.post(
    '/dashboard/mount',
    ...chains.adminPost,
    dashboardAction(kit, {
      section: 'engines',
      form: () => 'mount',
      keep: ['name', 'type'],
      work: async (req) => {
        const name = required(req, 'name');
        const info = await engines.mount(name, required(req, 'type'), {});
        return { notice: `mounted ${info.name} (${info.type})` };
      },
    }),
  );

  router.post(
    '/dashboard/unmount',
    ...chains.adminPost,
    dashboardAction(kit, {
      section: 'engines',
      form: () => 'unmount',
      work: async (req) => {
        const name = required(req, 'name');
        const { entriesDeleted } = await engines.unmount(name);
        return {
          notice: `unmounted ${name}, ${String(entriesDeleted)} entries deleted`,
        };
      },
    }),
  );

  router.post(
    '/dashboard/rules',
    ...chains.adminPost,
    dashboardAction(kit, {
      section: 'policy',
      form: () => 'rule-create',
      keep: ['id', 'priority', 'effect', 'usernames', 'roles', 'resources'],
      work: async (req) => {
        const rule = await policy.create(ruleInput(req));
        logger.info('policy rule created', { rule: rule.id, via: 'ui' });
        return { notice: `rule ${rule.id} created` };
      },
    }),
  );

  router.post(
    '/dashboard/rules/delete',
    ...chains.adminPost,
    dashboardAction(kit, {
      section: 'policy',
      form: () => 'rule-delete',
      work: async (req) => {
        const id = required(req, 'id');
        await policy.delete(id);
        logger.info('policy rule deleted', { rule: id, via: 'ui' });
        return { notice: `rule ${id} deleted` };
      },
    }),
  );

  // The seal button leads here first: a confirmation fragment for htmx,
  // a page otherwise. Nothing changes until the confirmation is posted.
  router.get(
    '/dashboard/seal',
    ...chains.page,
    requireAdmin(kit),
    async (req, res) => {
      if (isHtmx(req)) {
        await sendFragment(kit, req, res, 'seal-confirm', {});
        return;
      }
      await sendPage(kit, req, res, 'seal', { title: 'Seal the vault' });
    },
  );

  // Sealing ends every session (the epoch moves on); this one's token is
  // ended at MCIAS too, since its owner is here to see it go.
  router.post('/dashboard/seal', ...chains.adminPost, async (req, res) => {
    const { username } = sessionOf(req).identity;
    await kit.worker.seal();
    logger.info('vault sealed', { user: username, via: 'ui' });
    await endSession(kit, req, res);
    redirect(req, res, '/unseal');
  });
}

/** required returns a field's text, or refuses it when empty. */
export function required(req: Request, name: string): string {
  const value = field(req, name).trim();
  if (value === '') {
    throw new MetacryptError('bad_request', `${name}: is required`);
  }
  return value;
}

// A rule as the form gives it; the store checks it and names the field.
// Lists are typed separated by commas or spaces; empty fields are left
// out, so the store's own `is required` messages apply.
function ruleInput(req: Request): Record<string, unknown> {
  const text = (name: string): string | undefined =>
    field(req, name).trim() || undefined;
  const list = (name: string): string[] =>
    field(req, name)
      .split(/[\s,]+/)
      .filter((item) => item !== '');
  const priority = text('priority');
  return {
    id: text('id'),
    priority:
      priority !== undefined && /^\d{1,10}$/.test(priority)
        ? Number(priority)
        : priority,
    effect: text('effect'),
    usernames: list('usernames'),
    roles: list('roles'),
    resources: list('resources'),
    actions: fieldList(req, 'actions'),
  };
}
