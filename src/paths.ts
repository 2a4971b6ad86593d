// Locates files that ship beside the code (migrations, views, docs), from
// the source tree under tsx and from dist/ once compiled.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('paths: package.json not found above ' + dir);
    }
    dir = parent;
  }
}

const root = findRoot();

/** projectPath joins segments onto the project's root directory. */
export function projectPath(...segments: string[]): string {
  return join(root, ...segments);
}
