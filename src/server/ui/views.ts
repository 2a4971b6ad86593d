// Renders the EJS templates under views/: whole pages inside the layout,
// and the fragments htmx swaps into a page.
import { join } from 'node:path';

import ejs from 'ejs';

import { projectPath } from '../../paths.js';

/** ViewData is what a template is rendered with. */
export type ViewData = Record<string, unknown>;

/**
 * Views renders templates by name, relative to views/. Compiled
 * templates are cached by file name, so each is read and compiled once
 * per process. `<%= %>` escapes HTML; templates use `<%- %>` only for
 * includes, never for a value.
 */
export class Views {
  readonly #dir: string;

  constructor(dir: string = projectPath('views')) {
    this.#dir = dir;
  }

  /** render renders the template name (`pages/init`) with data. */
  render(name: string, data: ViewData): Promise<string> {
    return ejs.renderFile(join(this.#dir, `${name}.ejs`), data, {
      cache: true,
      async: false,
    });
  }
}
