// Reads a .dockerignore the way Docker does, for the patterns a project
// uses: Go's filepath.Match syntax plus `**`, `!` to re-include, the last
// matching pattern deciding, and a pattern that matches a directory
// covering everything in it.
import { lstatSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';

/** IgnoreRule is one pattern line, cleaned as Docker cleans it. */
export interface IgnoreRule {
  readonly pattern: string;
  /** True for a `!` line, which re-includes what it matches. */
  readonly reinclude: boolean;
  readonly line: number;
  readonly regex: RegExp;
}

/** DockerIgnore answers whether a context path is left out. */
export interface DockerIgnore {
  readonly rules: readonly IgnoreRule[];
  /** isExcluded takes a path relative to the context, with / separators. */
  isExcluded(path: string): boolean;
}

// Characters that mean something to a regular expression and nothing to
// filepath.Match, so they stand for themselves.
const LITERAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/**
 * readDockerignore parses text. A line whose first character is # is a
 * comment; others are trimmed, blank ones skipped, and each pattern made
 * relative to the context root and cleaned (`./a//b/` is `a/b`).
 */
export function readDockerignore(text: string): DockerIgnore {
  const rules: IgnoreRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.startsWith('#')) return;
    let pattern = raw.trim();
    if (pattern === '') return;

    const reinclude = pattern.startsWith('!');
    if (reinclude) pattern = pattern.slice(1).trim();
    pattern = clean(pattern);
    rules.push({
      pattern,
      reinclude,
      line: index + 1,
      regex: toRegex(pattern),
    });
  });

  return {
    rules,
    isExcluded: (path: string): boolean => isExcluded(rules, clean(path)),
  };
}

/**
 * contextFiles lists the files (and symbolic links, not followed) under
 * root that the build context holds, relative with / separators, sorted.
 * An excluded directory is not entered unless a `!` pattern could
 * re-include something inside it.
 */
export function contextFiles(root: string, ignore: DockerIgnore): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative === '' ? name : `${relative}/${name}`;
      const excluded = ignore.isExcluded(path);
      if (lstatSync(join(root, path)).isDirectory()) {
        if (!excluded || mayReinclude(ignore.rules, path)) walk(path);
      } else if (!excluded) {
        found.push(path);
      }
    }
  };
  walk('');
  return found;
}

function isExcluded(rules: readonly IgnoreRule[], path: string): boolean {
  const parents = path.split('/').slice(0, -1);
  const candidates = [
    path,
    ...parents.map((_, i) => parents.slice(0, i + 1).join('/')),
  ];

  let excluded = false;
  for (const rule of rules) {
    // A rule can change the answer only from the other side.
    if (rule.reinclude !== excluded) continue;
    if (candidates.some((candidate) => rule.regex.test(candidate))) {
      excluded = !rule.reinclude;
    }
  }
  return excluded;
}

// Whether a `!` rule might match something under dir: it names a path
// inside dir, or starts with a wildcard and so might match anywhere.
function mayReinclude(rules: readonly IgnoreRule[], dir: string): boolean {
  return rules.some(
    (rule) =>
      rule.reinclude &&
      (rule.pattern.startsWith(`${dir}/`) || /^[*?[\\]/.test(rule.pattern)),
  );
}

// Go's filepath.Clean, for / separators, and a leading / dropped: every
// pattern is relative to the context root.
function clean(pattern: string): string {
  const normalized = posix.normalize(pattern).replace(/\/+$/, '');
  const relative = normalized.replace(/^\/+/, '');
  return relative === '' ? '.' : relative;
}

// filepath.Match syntax to a regular expression: `*` and `?` stay within
// one path segment, `**` crosses any number of them (`**/` also none),
// `[...]` is a character class, and a backslash escapes.
function toRegex(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '*' && pattern.charAt(i + 1) === '*') {
      i++;
      if (pattern.charAt(i + 1) === '/') i++;
      source += i + 1 >= pattern.length ? '.*' : '(?:.*/)?';
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '\\') {
      const next = pattern.charAt(++i);
      source += next === '' ? '\\\\' : escape(next);
    } else if (LITERAL.has(char)) {
      source += `\\${char}`;
    } else {
      source += char;
    }
  }
  return new RegExp(`${source}$`);
}

function escape(char: string): string {
  return /[A-Za-z0-9]/.test(char) ? char : `\\${char}`;
}
