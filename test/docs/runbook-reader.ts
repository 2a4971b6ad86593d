// Reads the commands and the troubleshooting messages out of
// docs/RUNBOOK.md, for the tests that hold the runbook to the code.

export { shellWords } from '../fixtures/shell-words.js';

/** CommandLine is one command of the runbook, as an operator types it. */
export interface CommandLine {
  /** The 1-based line of the document it starts on. */
  readonly line: number;
  /** The command, continuation lines joined. */
  readonly text: string;
  /** Whether it stands in a fenced `sh` block, not inline in the text. */
  readonly fenced: boolean;
}

/** FencedBlock is a fenced code block and the heading it stands under. */
export interface FencedBlock {
  readonly lang: string;
  readonly line: number;
  readonly text: string;
  /** The nearest `##`/`###` heading above it. */
  readonly heading: string;
}

/** TroubleMessage is the first cell of a troubleshooting table's row. */
export interface TroubleMessage {
  readonly line: number;
  /** The message as printed in the table, `<...>` parts included. */
  readonly message: string;
  /** The `###` heading of the table. */
  readonly table: string;
}

// The words an operator's command may start with; an inline code span
// starting with one of them is a command too.
const COMMAND_WORDS = [
  'metacrypt',
  'sudo',
  'systemctl',
  'journalctl',
  'docker',
  'curl',
  'npm',
  'cp',
  'chown',
  'chmod',
  'deploy/scripts/',
];
const INLINE = /`([^`]+)`/g;

/** fencedBlocks returns every fenced block with its heading. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let heading = '';
  let open: { lang: string; line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (open === undefined) {
      const fence = /^```(\S*)\s*$/.exec(text);
      if (fence !== null) {
        open = { lang: fence[1] ?? '', line: i + 1, lines: [] };
      } else if (/^#{2,3} /.test(text)) {
        heading = text.replace(/^#+ /, '');
      }
      return;
    }
    if (/^```\s*$/.test(text)) {
      blocks.push({ ...open, text: open.lines.join('\n'), heading });
      open = undefined;
      return;
    }
    open.lines.push(text);
  });
  return blocks;
}

/**
 * commandLines returns each command of the `sh` blocks (comments and
 * blank lines left out, `\` continuations joined) and each inline code
 * span outside the blocks that starts with a command word followed by a
 * space, such as `systemctl stop metacrypt`.
 */
export function commandLines(markdown: string): CommandLine[] {
  const found: CommandLine[] = [];

  // Step 1: the fenced shell blocks.
  for (const block of fencedBlocks(markdown)) {
    if (block.lang !== 'sh') continue;
    let pending: { line: number; parts: string[] } | undefined;
    block.text.split('\n').forEach((raw, i) => {
      const line = block.line + 1 + i;
      const text = raw.trim();
      if (pending === undefined && (text === '' || text.startsWith('#'))) {
        return;
      }
      pending ??= { line, parts: [] };
      const continued = text.endsWith('\\');
      pending.parts.push(continued ? text.slice(0, -1).trim() : text);
      if (!continued) {
        found.push({
          line: pending.line,
          text: pending.parts.join(' '),
          fenced: true,
        });
        pending = undefined;
      }
    });
  }

  // Step 2: inline spans in the prose and tables.
  let inBlock = false;
  markdown.split('\n').forEach((text, i) => {
    if (text.startsWith('```')) inBlock = !inBlock;
    if (inBlock) return;
    for (const match of text.matchAll(INLINE)) {
      const span = match[1] ?? '';
      if (isCommand(span)) {
        found.push({ line: i + 1, text: span, fenced: false });
      }
    }
  });

  return found.sort((a, b) => a.line - b.line);
}

function isCommand(span: string): boolean {
  return COMMAND_WORDS.some((word) =>
    word.endsWith('/')
      ? span.startsWith(word)
      : span.startsWith(`${word} `) && span.length > word.length + 1,
  );
}

/**
 * troubleMessages returns the first cell of every row of the tables in
 * the `## Troubleshooting` section, which must be one code span.
 */
export function troubleMessages(markdown: string): TroubleMessage[] {
  const found: TroubleMessage[] = [];
  let inSection = false;
  let table = '';
  markdown.split('\n').forEach((text, i) => {
    if (text.startsWith('## ')) inSection = text === '## Troubleshooting';
    if (!inSection) return;
    if (text.startsWith('### ')) table = text.slice(4);
    if (!text.startsWith('| ') || /^\| (message|---) /.test(text)) return;
    const cell = text.split(' | ')[0]?.slice(2).trim() ?? '';
    const span = /^`([^`]+)`$/.exec(cell);
    found.push({ line: i + 1, message: span?.[1] ?? cell, table });
  });
  return found;
}

/**
 * messagePattern turns a table's message into a pattern for the text the
 * code prints: each `<...>` part stands for one or more characters.
 */
export function messagePattern(message: string): RegExp {
  const parts = message.split(/<[^<>]+>/);
  const escaped = parts.map((part) =>
    part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(escaped.join('.+?'));
}

/**
 * simpleCommands splits a command line at `&&`, `||`, `;` and `|` outside
 * quotes, so `npm ci && npm run build` is two commands.
 */
export function simpleCommands(command: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i += 1) {
    const char = command[i] ?? '';
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    if (char === ';' || char === '|' || char === '&') {
      if (command[i + 1] === char) i += 1;
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}
