// The token `metacrypt login` keeps for later commands: one JSON file,
// mode 0600 in a 0700 directory under the user's config directory.
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { errnoCode, MetacryptError } from '../errors/index.js';

/** TOKEN_FILE_NAME is the file's name inside the config directory. */
export const TOKEN_FILE_NAME = 'token.json';

/** StoredToken is what the file holds. */
export interface StoredToken {
  /** The server the token was issued through. */
  readonly addr: string;
  readonly token: string;
  readonly expires_at: string;
  /** The --ca-cert the login used (an absolute path), if any. */
  readonly ca_cert?: string;
}

/** tokenFilePath is where the token lives for a config directory. */
export function tokenFilePath(configDir: string): string {
  return join(configDir, TOKEN_FILE_NAME);
}

/**
 * writeToken stores the token, replacing any other. The file is written
 * under a temporary name with mode 0600 and renamed into place, so no
 * reader ever sees a partial file or a wider mode.
 */
export function writeToken(configDir: string, stored: StoredToken): string {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const path = tokenFilePath(configDir);
  const temp = `${path}.${String(process.pid)}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(stored) + '\n', {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new MetacryptError(
      'cli_usage',
      `cannot store the token in ${path}: ${errnoCode(err) ?? 'failed'}`,
    );
  }
  return path;
}

/** readToken returns the stored token, or undefined when there is none. */
export function readToken(configDir: string): StoredToken | undefined {
  let text: string;
  try {
    text = readFileSync(tokenFilePath(configDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Record<string, unknown>>;
    if (typeof parsed.token !== 'string' || parsed.token === '') {
      return undefined;
    }
    return {
      addr: typeof parsed.addr === 'string' ? parsed.addr : '',
      token: parsed.token,
      expires_at:
        typeof parsed.expires_at === 'string' ? parsed.expires_at : '',
      ...(typeof parsed.ca_cert === 'string'
        ? { ca_cert: parsed.ca_cert }
        : {}),
    };
  } catch {
    return undefined;
  }
}

/** removeToken deletes the stored token; true if there was one. */
export function removeToken(configDir: string): boolean {
  const path = tokenFilePath(configDir);
  try {
    rmSync(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw new MetacryptError(
      'cli_usage',
      `cannot remove ${path}: ${errnoCode(err) ?? 'failed'}`,
    );
  }
}
