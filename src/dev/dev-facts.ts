// What a running `metacrypt dev` tells its user: where it is, what it
// trusts, who may log in, and the same facts as one JSON object.
import type { DevAccount, DevAccounts } from './dev-accounts.js';

/** DEV_TRANSIT_MOUNT is where the transit engine is mounted. */
export const DEV_TRANSIT_MOUNT = 'transit';

/** DEV_TRANSIT_KEY is the demo key made in it (aes256-gcm). */
export const DEV_TRANSIT_KEY = 'demo';

/** DevFacts describe a started development environment. */
export interface DevFacts {
  /** The vault's base URL, such as `https://127.0.0.1:8443`. */
  readonly addr: string;
  /** The temporary directory with the database and the TLS files. */
  readonly dataDir: string;
  /** The self-signed certificate, which is also the CA file to trust. */
  readonly caCert: string;
  readonly certExpiresAt: Date;
  /** The embedded development identity server, standing in for MCIAS. */
  readonly identityUrl: string;
  readonly sealPassword: string;
  readonly accounts: DevAccounts;
  /** A token of the admin account, for the examples that need one. */
  readonly adminToken: string;
  readonly adminTokenExpiresAt: string;
  readonly transitMount: string;
  readonly transitKey: string;
}

/** DevFactsJson is what `metacrypt dev --json` prints, on one line. */
export interface DevFactsJson {
  readonly addr: string;
  readonly data_dir: string;
  readonly ca_cert: string;
  readonly cert_expires_at: string;
  readonly identity_url: string;
  readonly seal_password: string;
  readonly admin: AccountJson;
  readonly user: AccountJson;
  readonly admin_token: string;
  readonly admin_token_expires_at: string;
  readonly transit: { readonly mount: string; readonly key: string };
  /** The environment the metacrypt command needs to reach the vault. */
  readonly env: {
    readonly METACRYPT_ADDR: string;
    readonly METACRYPT_CA_CERT: string;
  };
  /** The banner's curl commands, each ready for `sh -c`. */
  readonly curl: readonly string[];
}

interface AccountJson {
  readonly username: string;
  readonly password: string;
  readonly roles: readonly string[];
}

/** devFactsJson turns facts (and the banner's examples) into JSON. */
export function devFactsJson(
  facts: DevFacts,
  curl: readonly string[],
): DevFactsJson {
  return {
    addr: facts.addr,
    data_dir: facts.dataDir,
    ca_cert: facts.caCert,
    cert_expires_at: facts.certExpiresAt.toISOString(),
    identity_url: facts.identityUrl,
    seal_password: facts.sealPassword,
    admin: accountJson(facts.accounts.admin),
    user: accountJson(facts.accounts.user),
    admin_token: facts.adminToken,
    admin_token_expires_at: facts.adminTokenExpiresAt,
    transit: { mount: facts.transitMount, key: facts.transitKey },
    env: { METACRYPT_ADDR: facts.addr, METACRYPT_CA_CERT: facts.caCert },
    curl,
  };
}

function accountJson(account: DevAccount): AccountJson {
  return {
    username: account.username,
    password: account.password,
    roles: account.roles,
  };
}
