// Quoting of caller input inside error messages, so a message can name
// what was wrong without carrying a forged log line or a terminal escape.

const DEFAULT_LIMIT = 64;
// JSON.stringify escapes U+0000 to U+001F only. DEL, the C1 controls (NEL
// is a line break to some log readers, CSI a terminal escape) and the two
// Unicode line separators need the same treatment.
const UNSAFE = /[\p{Cc}\u2028\u2029]/gu;

/**
 * quoteInput returns text as a JSON string literal with every control
 * character escaped, cut to limit characters with "..." after the quote
 * when it is longer. Anything that is not a string is quoted by type.
 */
export function quoteInput(text: unknown, limit = DEFAULT_LIMIT): string {
  if (typeof text !== 'string') return `(${typeof text})`;
  const cut = text.length > limit ? text.slice(0, limit) : text;
  const quoted = JSON.stringify(cut).replace(UNSAFE, escapeChar);
  return cut === text ? quoted : `${quoted}...`;
}

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
