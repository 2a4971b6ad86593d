// What the dashboard shows, read fresh for each page or fragment: the
// mounts, each transit mount's keys, the policy rules for admins, and
// the outcome of the action just taken.
import type { Request, Response } from 'express';

import type { Identity } from '../../auth/index.js';
import { isJsonObject } from '../../engine/json.js';
import { TRANSIT_KEY_TYPES } from '../../engines/transit/key-type-names.js';
import { POLICY_ACTIONS } from '../../policy/index.js';
import type { PolicyRule } from '../../policy/index.js';
import { shownError } from './ui-errors.js';
import type { UiKit } from './ui-kit.js';
import { isHtmx, sendFragment, sendPage } from './ui-render.js';
import { sessionOf } from './ui-session.js';

/**
 * Flash is the outcome of one action, shown beside the form that was
 * sent (`form` names it: `mount`, `encrypt:<mount>`, ...).
 */
export interface Flash {
  readonly form: string;
  readonly error?: string;
  /** A short confirmation of what was done. */
  readonly notice?: string;
  /** A value to show: a ciphertext, a decrypted text. */
  readonly result?: string;
  /** Fields to fill the form with again (never a secret). */
  readonly values?: Readonly<Record<string, string>>;
}

/** NO_FLASH is the outcome of no action. */
export const NO_FLASH: Flash = { form: '' };

/** Section is a part of the dashboard htmx can swap on its own. */
export type Section = 'engines' | 'policy';

/** MountView is a mount as the dashboard lists it. */
export interface MountView {
  readonly name: string;
  readonly type: string;
  readonly createdAt: string;
}

/** TransitView is a transit mount and the keys the viewer may list. */
export interface TransitView {
  readonly mount: string;
  readonly keys: readonly string[] | undefined;
  /** Why the keys are not listed (policy, say). */
  readonly keysError: string | undefined;
}

/** DashboardModel is everything the dashboard templates read. */
export interface DashboardModel {
  readonly mounts: readonly MountView[];
  readonly transit: readonly TransitView[];
  readonly engineTypes: readonly string[];
  readonly keyTypes: readonly string[];
  readonly policyActions: readonly string[];
  /** The rules, for admins only. */
  readonly rules: readonly PolicyRule[] | undefined;
  readonly rulesError: string | undefined;
}

/** loadDashboard reads what the dashboard shows to identity. */
export async function loadDashboard(
  kit: UiKit,
  req: Request,
  identity: Identity,
): Promise<DashboardModel> {
  const mounts = await kit.engines.mounts();
  const transit = await Promise.all(
    mounts
      .filter((mount) => mount.type === 'transit')
      .map((mount) => transitView(kit, req, identity, mount.name)),
  );

  // Rules are for admins; a damaged one is reported, not hidden.
  let rules: readonly PolicyRule[] | undefined;
  let rulesError: string | undefined;
  if (identity.isAdmin) {
    try {
      rules = await kit.policy.list();
    } catch (err) {
      rulesError = shownError(kit, req, err).message;
    }
  }

  return {
    mounts: mounts.map((m) => ({
      name: m.name,
      type: m.type,
      createdAt: m.createdAt,
    })),
    transit,
    engineTypes: kit.engines.registry.types(),
    keyTypes: TRANSIT_KEY_TYPES,
    policyActions: POLICY_ACTIONS,
    rules,
    rulesError,
  };
}

/**
 * sendDashboard answers with the dashboard: the section alone for htmx,
 * the whole page otherwise, with flash shown beside its form.
 */
export async function sendDashboard(
  kit: UiKit,
  req: Request,
  res: Response,
  section: Section | undefined,
  flash: Flash,
  status = 200,
): Promise<void> {
  const { identity } = sessionOf(req);
  const model = await loadDashboard(kit, req, identity);

  // A refusal from a form the page does not show (its mount is gone, or
  // the form is not one this user gets) is shown above everything.
  if (flash.error !== undefined && !formsOn(model, identity).has(flash.form)) {
    const shown = { message: flash.error };
    if (isHtmx(req)) {
      res.setHeader('HX-Retarget', '#flash');
      res.setHeader('HX-Reswap', 'innerHTML');
      await sendFragment(kit, req, res, 'flash', { shown }, status);
      return;
    }
    const data = {
      ...model,
      flash: NO_FLASH,
      pageError: flash.error,
      title: 'Dashboard',
    };
    await sendPage(kit, req, res, 'dashboard', data, status);
    return;
  }

  const data = { ...model, flash, title: 'Dashboard' };
  if (section !== undefined && isHtmx(req)) {
    await sendFragment(kit, req, res, section, data, status);
    return;
  }
  await sendPage(kit, req, res, 'dashboard', data, status);
}

// The forms the dashboard shows identity, by the names flashes use.
function formsOn(model: DashboardModel, identity: Identity): Set<string> {
  const forms = new Set<string>();
  for (const { mount } of model.transit) {
    forms.add(`encrypt:${mount}`).add(`decrypt:${mount}`);
    if (identity.isAdmin) forms.add(`create-key:${mount}`);
  }
  if (identity.isAdmin) {
    for (const form of ['mount', 'unmount', 'rule-create', 'rule-delete']) {
      forms.add(form);
    }
  }
  return forms;
}

// Listing keys goes through the policy like any engine request, so a
// user without `read` on the mount sees why instead of a list.
async function transitView(
  kit: UiKit,
  req: Request,
  identity: Identity,
  mount: string,
): Promise<TransitView> {
  try {
    const reply = await kit.engines.request(identity, {
      mount,
      operation: 'list-keys',
      data: {},
      type: 'transit',
    });
    const keys = isJsonObject(reply) ? reply.keys : undefined;
    const names = Array.isArray(keys)
      ? keys.filter((k): k is string => typeof k === 'string')
      : [];
    return { mount, keys: names, keysError: undefined };
  } catch (err) {
    const shown = shownError(kit, req, err);
    const keysError =
      shown.code === 'forbidden'
        ? 'you may not list the keys of this mount'
        : shown.message;
    return { mount, keys: undefined, keysError };
  }
}
