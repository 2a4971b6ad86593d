// Reads the runnable examples out of a Markdown document (docs/API.md) and
// checks a reply against the block printed under each example.

/** ExpectedReply is what the block under an example says comes back. */
export type ExpectedReply =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'empty' }
  | { readonly kind: 'lines'; readonly lines: readonly string[] };

/** DocExample is one `sh` block and the reply block after it. */
export interface DocExample {
  /** The 1-based line of the block's opening fence. */
  readonly line: number;
  /** The block's text, run as it stands. */
  readonly script: string;
  /** The status from the block's `# HTTP <status>` first line. */
  readonly status: number;
  readonly expected: ExpectedReply;
}

/** ReadResult holds the examples found and what is wrong with the rest. */
export interface ReadResult {
  readonly examples: readonly DocExample[];
  /** One line per problem, naming the line of the document. */
  readonly problems: readonly string[];
}

interface Block {
  readonly lang: string;
  readonly line: number;
  readonly text: string;
  /** Whether only blank lines lie between the previous block and this. */
  readonly adjacent: boolean;
}

const OPEN = /^```(\S*)\s*$/;
const CLOSE = /^```\s*$/;
const STATUS_LINE = /^# HTTP (\d{3})\b/;
const NO_BODY = '(no body)';
const PLACEHOLDER = /^<[^<>]+>$/;
// A placeholder naming a shell variable, "<$CIPHERTEXT>", also captures
// the value for the examples after it.
const CAPTURE = /^<\$([A-Z][A-Z0-9_]*)>$/;

/**
 * readExamples finds every `sh` block of markdown. Each must start with a
 * `# HTTP <status>` line, hold exactly one curl command that reaches
 * `$METACRYPT_ADDR` trusting `$METACRYPT_CA_CERT`, and be followed, with
 * only blank lines between, by a `json` or `text` block.
 */
export function readExamples(markdown: string): ReadResult {
  const blocks = fencedBlocks(markdown);
  const examples: DocExample[] = [];
  const problems: string[] = [];

  blocks.forEach((block, i) => {
    if (block.lang !== 'sh') return;
    const where = `line ${String(block.line)}`;
    const next = blocks[i + 1];

    // Step 1: the command itself.
    const status = STATUS_LINE.exec(block.text)?.[1];
    const found: string[] = [];
    if (status === undefined) found.push('no "# HTTP <status>" first line');
    const curls = block.text.match(/\bcurl\b/g) ?? [];
    if (curls.length !== 1) {
      found.push(`${String(curls.length)} curl commands, not one`);
    }
    if (!block.text.includes('--cacert "$METACRYPT_CA_CERT"')) {
      found.push('no --cacert "$METACRYPT_CA_CERT"');
    }
    if (!block.text.includes('"$METACRYPT_ADDR/')) {
      found.push('no "$METACRYPT_ADDR/..." URL');
    }

    // Step 2: the reply block right after it.
    let expected: ExpectedReply | undefined;
    if (!next?.adjacent) {
      found.push('no reply block right after it');
    } else if (next.lang === 'json') {
      try {
        expected = { kind: 'json', value: JSON.parse(next.text) };
      } catch {
        found.push(`its json block (line ${String(next.line)}) is not JSON`);
      }
    } else if (next.lang === 'text') {
      const lines = next.text.split('\n').filter((l) => l.trim() !== '');
      expected =
        next.text.trim() === NO_BODY
          ? { kind: 'empty' }
          : { kind: 'lines', lines };
      if (lines.length === 0) found.push('its text block is empty');
    } else {
      found.push(`a "${next.lang}" block after it, not json or text`);
    }

    if (found.length > 0 || status === undefined || expected === undefined) {
      problems.push(`${where}: ${found.join('; ')}`);
      return;
    }
    examples.push({
      line: block.line,
      script: block.text,
      status: Number(status),
      expected,
    });
  });
  return { examples, problems };
}

/**
 * replyMismatches compares a reply body with what the example expects and
 * returns one line per difference; none means the reply matches. In JSON,
 * a string in angle brackets ("<token>") stands for any value, objects
 * must have exactly the keys shown, and arrays are compared element by
 * element. In a text block, each line must be a line of the body, with
 * `<...>` standing for any run of non-blank characters.
 */
export function replyMismatches(
  expected: ExpectedReply,
  body: string,
): string[] {
  switch (expected.kind) {
    case 'empty':
      return body === '' ? [] : ['expected no body'];
    case 'lines': {
      const lines = body.split('\n');
      return expected.lines
        .filter((want) => !lines.some((line) => linePattern(want).test(line)))
        .map((want) => `no line ${JSON.stringify(want)}`);
    }
    case 'json': {
      let actual: unknown;
      try {
        actual = JSON.parse(body);
      } catch {
        return ['the reply is not JSON'];
      }
      const found: string[] = [];
      compare(expected.value, actual, '$', found);
      return found;
    }
  }
}

/**
 * capturesOf returns the values a reply gives the variables its example's
 * JSON block names (`"<$CIPHERTEXT>"`), for the examples that follow.
 */
export function capturesOf(
  expected: ExpectedReply,
  body: string,
): Record<string, string> {
  const found: Record<string, string> = {};
  if (expected.kind !== 'json') return found;
  const walk = (want: unknown, got: unknown): void => {
    if (typeof want === 'string') {
      const name = CAPTURE.exec(want)?.[1];
      if (name !== undefined && typeof got === 'string') found[name] = got;
      return;
    }
    if (typeof want !== 'object' || want === null) return;
    if (typeof got !== 'object' || got === null) return;
    for (const [key, value] of Object.entries(want)) {
      walk(value, (got as Record<string, unknown>)[key]);
    }
  };
  try {
    walk(expected.value, JSON.parse(body));
  } catch {
    // Not JSON: replyMismatches reports it.
  }
  return found;
}

/**
 * secretsIn returns every password and plaintext the document's examples
 * send, so a test can prove none of them reaches a log line.
 */
export function secretsIn(markdown: string): string[] {
  const pattern =
    /"(?:password|old_password|new_password|plaintext)":"([^"]+)"/g;
  const found = new Set<string>();
  for (const block of fencedBlocks(markdown)) {
    if (block.lang !== 'sh') continue;
    for (const match of block.text.matchAll(pattern)) {
      if (match[1] !== undefined) found.add(match[1]);
    }
  }
  return [...found];
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let open: { lang: string; line: number; body: string[] } | null = null;
  let onlyBlank = false;
  lines.forEach((line, i) => {
    if (open === null) {
      const lang = OPEN.exec(line)?.[1];
      if (lang !== undefined) {
        open = { lang, line: i + 1, body: [] };
      } else if (line.trim() !== '') {
        onlyBlank = false;
      }
      return;
    }
    if (CLOSE.test(line)) {
      blocks.push({
        lang: open.lang,
        line: open.line,
        text: open.body.join('\n'),
        adjacent: onlyBlank,
      });
      open = null;
      onlyBlank = true;
      return;
    }
    open.body.push(line);
  });
  return blocks;
}

function linePattern(want: string): RegExp {
  const parts = want.split(/<[^<>\s]+>/);
  const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('\\S+')}$`);
}

function compare(
  expected: unknown,
  actual: unknown,
  path: string,
  found: string[],
): void {
  if (typeof expected === 'string' && PLACEHOLDER.test(expected)) {
    if (actual === undefined) found.push(`${path}: missing`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      found.push(`${path}: expected an array, got ${show(actual)}`);
      return;
    }
    if (actual.length !== expected.length) {
      found.push(
        `${path}: expected ${String(expected.length)} items, ` +
          `got ${String(actual.length)}`,
      );
    }
    expected.forEach((item, i) => {
      compare(item, actual[i], `${path}[${String(i)}]`, found);
    });
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (
      typeof actual !== 'object' ||
      actual === null ||
      Array.isArray(actual)
    ) {
      found.push(`${path}: expected an object, got ${show(actual)}`);
      return;
    }
    const want = expected as Record<string, unknown>;
    const got = actual as Record<string, unknown>;
    for (const key of Object.keys(got)) {
      if (!Object.hasOwn(want, key)) found.push(`${path}.${key}: not expected`);
    }
    for (const key of Object.keys(want)) {
      if (!Object.hasOwn(got, key)) found.push(`${path}.${key}: missing`);
      else compare(want[key], got[key], `${path}.${key}`, found);
    }
    return;
  }
  if (actual !== expected) {
    found.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
