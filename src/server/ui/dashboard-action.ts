// One dashboard action as a handler: do the work, then answer htmx with
// the section it changed and a plain post with a redirect, or with the
// whole page when there is an error or a result to show.
import type { Request, RequestHandler } from 'express';

import { sendDashboard } from './dashboard-model.js';
import type { Flash, Section } from './dashboard-model.js';
import { field } from './form-body.js';
import { shownError } from './ui-errors.js';
import type { UiKit } from './ui-kit.js';
import { isHtmx, redirect } from './ui-render.js';

/** ActionOutcome is what an action reports when it worked. */
export interface ActionOutcome {
  readonly notice?: string;
  readonly result?: string;
  readonly values?: Readonly<Record<string, string>>;
}

/** ActionSpec describes one dashboard action. */
export interface ActionSpec {
  /** The section the action changes, which htmx swaps. */
  readonly section: Section;
  /** Names the form, so its outcome shows beside it. */
  readonly form: (req: Request) => string;
  /** Fields to fill the form with again after a refusal. */
  readonly keep?: readonly string[];
  readonly work: (req: Request) => Promise<ActionOutcome>;
}

/**
 * dashboardAction runs spec. A refusal is shown inside its form, with
 * the status of its error code; a plain post that worked and has nothing
 * to show is redirected (303), so a reload does not post it again.
 */
export function dashboardAction(kit: UiKit, spec: ActionSpec): RequestHandler {
  return async (req, res) => {
    const form = spec.form(req);
    let flash: Flash;
    let status = 200;
    try {
      const outcome = await spec.work(req);
      if (outcome.result === undefined && !isHtmx(req)) {
        redirect(req, res, `/dashboard#${spec.section}`);
        return;
      }
      flash = { form, ...outcome };
    } catch (err) {
      const shown = shownError(kit, req, err);
      const values = Object.fromEntries(
        (spec.keep ?? []).map((name) => [name, field(req, name)]),
      );
      flash = { form, error: shown.message, values };
      status = shown.status;
    }
    await sendDashboard(kit, req, res, spec.section, flash, status);
  };
}
