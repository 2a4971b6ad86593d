// Lays rows out as a plain text table for people: a header, columns
// padded to their widest cell, two spaces between them.

/** EMPTY_CELL stands for an empty value, so columns never look shifted. */
export const EMPTY_CELL = '-';

/**
 * formatTable returns the table's lines, header first. The last column is
 * not padded, so no line ends in spaces.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const cells = [headers, ...rows].map((row) =>
    headers.map((_, i) => {
      const cell = row[i] ?? '';
      return cell === '' ? EMPTY_CELL : cell;
    }),
  );
  const widths = headers.map((_, i) =>
    Math.max(...cells.map((row) => (row[i] ?? '').length)),
  );
  return cells.map((row) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0),
      )
      .join('  '),
  );
}

/**
 * cellText shows one value of a reply in a cell: text as it is, numbers
 * in decimal, lists joined by commas, anything else as compact JSON.
 */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return EMPTY_CELL;
  if (typeof value === 'string') return value === '' ? EMPTY_CELL : value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return listCell(value);
  }
  const json = JSON.stringify(value);
  return json === '{}' ? EMPTY_CELL : json;
}

/** listCell joins a list for one cell: `a,b`, or EMPTY_CELL when empty. */
export function listCell(items: readonly string[]): string {
  return items.length === 0 ? EMPTY_CELL : items.join(',');
}
