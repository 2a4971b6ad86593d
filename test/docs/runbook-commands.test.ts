// Holds every command docs/RUNBOOK.md tells an operator to type to what
// exists: metacrypt commands and their flags, API endpoints, systemd
// units, deploy files, npm scripts, and the compose service.
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import { commandLines, shellWords, simpleCommands } from './runbook-reader.js';
import type { CommandLine } from './runbook-reader.js';

const RUNBOOK = readFileSync(projectPath('docs', 'RUNBOOK.md'), 'utf8');
const API = readFileSync(projectPath('docs', 'API.md'), 'utf8');

interface ManifestFlag {
  readonly char?: string;
  readonly type: 'boolean' | 'option';
}
interface ManifestCommand {
  readonly flags: Record<string, ManifestFlag>;
  readonly args: Record<string, unknown>;
}
const MANIFEST = JSON.parse(
  readFileSync(projectPath('oclif.manifest.json'), 'utf8'),
) as { commands: Record<string, ManifestCommand> };

// The endpoints docs/API.md documents, as "METHOD /v1/path" headings.
const ENDPOINTS = new Set(
  [...API.matchAll(/^### ([A-Z]+) (\/v1\/\S+)$/gm)].map(
    (m) => `${m[1] ?? ''} ${m[2] ?? ''}`,
  ),
);

// Programs of the host the runbook may use as they come.
const HOST_TOOLS = new Set([
  'cd',
  'chmod',
  'chown',
  'cp',
  'export',
  'find',
  'ls',
  'mkdir',
  'openssl',
  'sqlite3',
  'ss',
  'stat',
]);
const SYSTEMCTL_VERBS = new Set([
  'start',
  'stop',
  'restart',
  'enable',
  'edit',
  'status',
  'is-failed',
  'list-timers',
]);

/** problemsOf returns what is wrong with one simple command. */
function problemsOf(words: readonly string[], fenced: boolean): string[] {
  const [first = '', ...rest] = words;
  if (first === 'sudo') {
    return problemsOf(rest[0] === '-u' ? rest.slice(2) : rest, fenced);
  }
  if (first === 'metacrypt') return metacryptProblems(rest);
  if (first === 'curl') return curlProblems(rest, fenced);
  if (first === 'systemctl') return systemctlProblems(rest);
  if (first === 'journalctl') return journalctlProblems(rest);
  if (first === 'docker') return dockerProblems(rest);
  if (first === 'npm') return npmProblems(rest);
  if (first.startsWith('deploy/scripts/')) return scriptProblems(first);
  if (HOST_TOOLS.has(first)) return [];
  return [`"${first}" is not a command the runbook may use`];
}

function metacryptProblems(words: readonly string[]): string[] {
  // The longest run of leading words that names a command.
  let id = '';
  let used = 0;
  for (let n = 1; n <= words.length; n += 1) {
    const candidate = words.slice(0, n).join(':');
    if (MANIFEST.commands[candidate] !== undefined) {
      id = candidate;
      used = n;
    }
  }
  const command = MANIFEST.commands[id];
  if (command === undefined) {
    return [`no metacrypt command "${words.join(' ')}"`];
  }

  const problems: string[] = [];
  const args: string[] = [];
  const rest = words.slice(used);
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i] ?? '';
    if (!word.startsWith('-')) {
      args.push(word);
      continue;
    }
    const name = word.replace(/^--?/, '').split('=')[0] ?? '';
    const flag = word.startsWith('--')
      ? command.flags[name]
      : Object.values(command.flags).find((f) => f.char === name);
    if (flag === undefined) {
      problems.push(`metacrypt ${id}: no flag ${word}`);
    } else if (flag.type === 'option' && !word.includes('=')) {
      i += 1;
    }
  }
  if (args.length > Object.keys(command.args).length) {
    problems.push(`metacrypt ${id}: too many arguments (${args.join(' ')})`);
  }
  return problems;
}

function curlProblems(words: readonly string[], fenced: boolean): string[] {
  const at = words.indexOf('-X');
  const method = at === -1 ? 'GET' : (words[at + 1] ?? '');
  const url = words.find((w) => w.includes('/v1/')) ?? '';
  const path = url.slice(url.indexOf('/v1/')).split('?')[0] ?? '';
  const problems: string[] = [];
  if (!ENDPOINTS.has(`${method} ${path}`)) {
    problems.push(`curl: docs/API.md has no endpoint ${method} ${path}`);
  }
  if (fenced && !url.startsWith('$METACRYPT_ADDR/')) {
    problems.push('curl: the URL does not start with $METACRYPT_ADDR/');
  }
  if (fenced && words[words.indexOf('--cacert') + 1] !== '$METACRYPT_CA_CERT') {
    problems.push('curl: no --cacert "$METACRYPT_CA_CERT"');
  }
  return problems;
}

function unitProblems(unit: string): string[] {
  const file = unit.includes('.') ? unit : `${unit}.service`;
  return existsSync(projectPath('deploy', 'systemd', file))
    ? []
    : [`no unit deploy/systemd/${file}`];
}

function systemctlProblems(words: readonly string[]): string[] {
  const [verb = '', ...rest] = words;
  const units = rest.filter((w) => !w.startsWith('-'));
  return [
    ...(SYSTEMCTL_VERBS.has(verb) ? [] : [`systemctl: verb "${verb}"`]),
    ...(units.length === 0 ? ['systemctl: no unit named'] : []),
    ...units.flatMap(unitProblems),
  ];
}

function journalctlProblems(words: readonly string[]): string[] {
  const unit = words[words.indexOf('-u') + 1];
  return unit === undefined || !words.includes('-u')
    ? ['journalctl: no -u UNIT']
    : unitProblems(unit);
}

function dockerProblems(words: readonly string[]): string[] {
  const [sub = '', ...rest] = words;
  if (sub === 'compose') {
    const file = rest[rest.indexOf('-f') + 1] ?? '';
    if (!rest.includes('-f') || !existsSync(projectPath(file))) {
      return [`docker compose: no file ${file}`];
    }
    const compose = readFileSync(projectPath(file), 'utf8');
    const exec = rest.indexOf('exec');
    if (exec === -1) return [];
    const service = rest[exec + 1] ?? '';
    const inCompose = new RegExp(`^  ${service}:$`, 'm').test(compose);
    return [
      ...(inCompose ? [] : [`docker compose: no service ${service}`]),
      ...problemsOf(rest.slice(exec + 2), false),
    ];
  }
  if (sub === 'build') {
    const tag = rest[rest.indexOf('-t') + 1];
    return existsSync(projectPath('Dockerfile')) && tag === 'metacrypt:latest'
      ? []
      : ['docker build: not the Dockerfile or not metacrypt:latest'];
  }
  if (sub === 'run') {
    return rest.includes('metacrypt:latest')
      ? []
      : ['docker run: not the metacrypt:latest image'];
  }
  return sub === 'volume' ? [] : [`docker: "${sub}"`];
}

function npmProblems(words: readonly string[]): string[] {
  if (words[0] === 'ci') return [];
  const scripts = (
    JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const name = words[0] === 'run' ? (words[1] ?? '') : '';
  return scripts[name] === undefined ? [`npm: no script "${name}"`] : [];
}

function scriptProblems(path: string): string[] {
  try {
    accessSync(projectPath(path), constants.X_OK);
    return [];
  } catch {
    return [`${path} is missing or not executable`];
  }
}

function lineProblems(command: CommandLine): string[] {
  return simpleCommands(command.text).flatMap((part) =>
    problemsOf(shellWords(part), command.fenced).map(
      (problem) => `line ${String(command.line)}: ${problem}`,
    ),
  );
}

describe('docs/RUNBOOK.md commands', () => {
  const commands = commandLines(RUNBOOK);

  it('finds the commands of every kind it checks', () => {
    const first = new Set(
      commands.map((c) => shellWords(c.text).find((w) => w !== 'sudo')),
    );
    for (const word of ['metacrypt', 'curl', 'systemctl', 'docker', 'npm']) {
      assert.ok(first.has(word), `no ${word} command found`);
    }
    assert.ok(commands.length > 60, `only ${String(commands.length)}`);
  });

  it('names only commands, flags, endpoints and files that exist', () => {
    assert.deepEqual(commands.flatMap(lineProblems), []);
  });

  it('catches a wrong flag, endpoint, unit and script', () => {
    const wrong = [
      'metacrypt unseal --pasword-stdin',
      'metacrypt snapshot verify a.db b.db',
      'curl --cacert "$METACRYPT_CA_CERT" "$METACRYPT_ADDR/v1/unsel"',
      'systemctl start metacryptd',
      'deploy/scripts/restore.sh',
      'rm -rf /var/lib/metacrypt',
    ];
    for (const text of wrong) {
      const found = lineProblems({ line: 1, text, fenced: true });
      assert.equal(found.length, 1, `${text}: ${found.join('; ')}`);
    }
  });

  it('uses the installed paths the install script makes', () => {
    const install = readFileSync(
      projectPath('deploy', 'scripts', 'install.sh'),
      'utf8',
    );
    for (const path of [
      '/usr/local/bin/metacrypt',
      '/usr/local/lib/metacrypt',
      '/etc/metacrypt',
      '/var/lib/metacrypt',
    ]) {
      assert.ok(RUNBOOK.includes(path), `runbook lacks ${path}`);
      assert.ok(install.includes(path), `install.sh lacks ${path}`);
    }
  });
});
