// SQLite's own checks of a vault file, run on a read-only connection so
// that looking changes nothing: the file is checked as the server left it,
// write-ahead log included.
import BetterSqlite3 from 'better-sqlite3';

/** FileCheck is what SQLite says of a database file. */
export interface FileCheck {
  /** `ok`, or the first problems integrity_check lists. */
  readonly integrity: string;
  /** Rows whose foreign key points nowhere. */
  readonly foreignKeyViolations: number;
}

/** checkFile runs integrity_check and foreign_key_check on path. */
export function checkFile(path: string): FileCheck {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const integrity = rows.map((row) => row.integrity_check).join('; ');
    const foreign = db.pragma('foreign_key_check') as unknown[];
    return { integrity, foreignKeyViolations: foreign.length };
  } finally {
    db.close();
  }
}
