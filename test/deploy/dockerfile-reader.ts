// Reads a Dockerfile into stages and instructions, as far as the deploy
// tests need: line continuations, comments, keywords in any case, exec
// and shell forms, flags, key=value pairs and ${ARG} in FROM.
import { shellWords } from '../fixtures/shell-words.js';

/** Instruction is one instruction, its continuation lines joined. */
export interface Instruction {
  /** The keyword in upper case: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Leading --name=value flags (--from=build, --interval=30s). */
  readonly flags: ReadonlyMap<string, string>;
  /** What follows the keyword and its flags, as written. */
  readonly text: string;
  /** The JSON array of an exec form, or null for a shell form. */
  readonly exec: readonly string[] | null;
  /** The 1-based line the instruction starts on. */
  readonly line: number;
}

/** Stage is a FROM and the instructions up to the next FROM. */
export interface Stage {
  /** The image as written, `${NODE_IMAGE}` say. */
  readonly image: string;
  /** The image with the global ARG defaults put in. */
  readonly resolvedImage: string;
  /** The name after AS, or null. */
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** Dockerfile is a whole file read. */
export interface Dockerfile {
  /** The ARGs before the first FROM, with their defaults. */
  readonly globalArgs: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

/** CopyInstruction is a COPY or ADD split into sources and destination. */
export interface CopyInstruction {
  readonly keyword: string;
  /** The --from stage, or null when the sources are the build context. */
  readonly from: string | null;
  readonly sources: readonly string[];
  readonly destination: string;
  readonly line: number;
}

/**
 * readDockerfile parses text. Parser directives (# syntax=, # escape=) are
 * read as comments, so the escape character is always the backslash.
 */
export function readDockerfile(text: string): Dockerfile {
  const instructions = logicalLines(text).map(toInstruction);

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  let current: Instruction[] | null = null;
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      current = [];
      stages.push(stageOf(instruction, globalArgs, current));
    } else if (current === null) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(
          `line ${instruction.line}: ${instruction.keyword} before FROM`,
        );
      }
      for (const [name, value] of pairs(instruction.text)) {
        globalArgs.set(name, value);
      }
    } else {
      current.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** instructionsOf returns a stage's instructions with this keyword. */
export function instructionsOf(
  stage: Stage,
  keyword: string,
): readonly Instruction[] {
  const wanted = keyword.toUpperCase();
  return stage.instructions.filter((i) => i.keyword === wanted);
}

/** copiesOf returns a stage's COPY and ADD instructions, split up. */
export function copiesOf(stage: Stage): readonly CopyInstruction[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const words = i.exec ?? shellWords(i.text);
      const destination = words.at(-1);
      if (words.length < 2 || destination === undefined) {
        throw new Error(`line ${i.line}: ${i.keyword} needs a destination`);
      }
      return {
        keyword: i.keyword,
        from: i.flags.get('from') ?? null,
        sources: words.slice(0, -1),
        destination,
        line: i.line,
      };
    });
}

/**
 * pairs reads key=value words (ENV, ARG, LABEL), quotes removed; a bare
 * ARG name has the value ''. The old `ENV key value` form is one pair.
 */
export function pairs(text: string): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  const words = shellWords(text);
  const first = words[0];
  if (words.length > 1 && first !== undefined && !first.includes('=')) {
    found.set(first, words.slice(1).join(' '));
    return found;
  }
  for (const word of words) {
    const at = word.indexOf('=');
    if (at === -1) found.set(word, '');
    else found.set(word.slice(0, at), word.slice(at + 1));
  }
  return found;
}

/**
 * healthcheckCommand is a HEALTHCHECK's command, after its flags and the
 * word CMD: an exec form's array, or a shell form as ['/bin/sh', '-c', s];
 * null for HEALTHCHECK NONE.
 */
export function healthcheckCommand(
  instruction: Instruction,
): readonly string[] | null {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(instruction.text);
  const [, word = '', rest = ''] = match ?? [];
  if (word.toUpperCase() === 'NONE') return null;
  if (word.toUpperCase() !== 'CMD') {
    throw new Error(`line ${instruction.line}: HEALTHCHECK without CMD`);
  }
  return execForm(rest) ?? ['/bin/sh', '-c', rest];
}

interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

// Joins continued lines. Comment lines and blank lines are dropped, also
// inside a continuation, as Docker drops them.
function logicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let pending: string[] = [];
  let start = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (pending.length === 0) start = index + 1;

    const continues = /\\\s*$/.test(raw);
    pending.push(continues ? raw.replace(/\\\s*$/, '') : raw);
    if (!continues) {
      lines.push({ text: pending.join('').trim(), line: start });
      pending = [];
    }
  });
  if (pending.length > 0) {
    lines.push({ text: pending.join('').trim(), line: start });
  }
  return lines;
}

function toInstruction({ text, line }: LogicalLine): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  const [, keyword = '', rest = ''] = match ?? [];

  const flags = new Map<string, string>();
  let remaining = rest;
  for (;;) {
    const flag = /^--([A-Za-z-]+)(?:=(\S*))?\s*/.exec(remaining);
    if (flag === null) break;
    flags.set(flag[1] ?? '', flag[2] ?? '');
    remaining = remaining.slice(flag[0].length);
  }

  return {
    keyword: keyword.toUpperCase(),
    flags,
    text: remaining,
    exec: execForm(remaining),
    line,
  };
}

// An exec form is a JSON array of strings; anything else is shell form,
// as Docker decides it.
function execForm(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      Array.isArray(parsed) &&
      parsed.every((item): item is string => typeof item === 'string')
    ) {
      return parsed;
    }
  } catch {
    // Not JSON: a shell form that starts with [.
  }
  return null;
}

function stageOf(
  from: Instruction,
  args: ReadonlyMap<string, string>,
  instructions: Instruction[],
): Stage {
  const words = shellWords(from.text);
  const [image = ''] = words;
  const as = words[1]?.toUpperCase() === 'AS' ? (words[2] ?? null) : null;
  return {
    image,
    resolvedImage: substitute(image, args),
    name: as,
    instructions,
  };
}

// ${NAME}, ${NAME:-default} and $NAME, from the global ARGs.
function substitute(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_whole, braced?: string, fallback?: string, bare?: string) => {
      const value = args.get(braced ?? bare ?? '');
      return value === undefined || value === '' ? (fallback ?? '') : value;
    },
  );
}
