// One case of the bad-input fuzz: a request the server must refuse, the
// error codes that may answer it, and how its parts combine into those
// codes in the order the server checks them.
import type { ErrorCode } from '../../src/errors/index.js';

/** Who is a logged-in dev user whose token the fuzz holds. */
export type Who = 'admin' | 'alice';

/** Mangle is a change that turns a real token into one MCIAS refuses. */
export type Mangle = 'append' | 'drop' | 'flip' | 'prefix' | 'double';

/**
 * Credential says how a case authenticates. It names tokens and never
 * holds one, so a failing case can be printed whole.
 */
export type Credential =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'valid';
      readonly who: Who;
      /** `Bearer` in some mix of cases. */
      readonly scheme: string;
      readonly spaces: number;
      readonly trailing: number;
    }
  | { readonly kind: 'junk'; readonly value: string }
  | {
      readonly kind: 'mangled';
      readonly who: Who;
      readonly how: Mangle;
      readonly at: number;
    }
  | {
      readonly kind: 'twice';
      readonly first: Credential;
      readonly second: Credential;
    };

/** holderOf is whom the server should take a credential for, if anyone. */
export function holderOf(credential: Credential): Who | undefined {
  // Two Authorization headers are ambiguous, so neither counts.
  return credential.kind === 'valid' ? credential.who : undefined;
}

/** ApiCase is one request sent with Node's HTTPS client. */
export interface ApiCase {
  readonly kind: 'api';
  readonly group: string;
  /** The endpoint as docs/API.md names it: `POST /v1/init`. */
  readonly endpoint: string;
  /** What is wrong with the request, in a few words. */
  readonly defect: string;
  readonly method: string;
  /** The path and query, already percent-encoded. */
  readonly path: string;
  readonly credential: Credential;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Send the body without a length, in chunks. */
  readonly chunked?: boolean;
  /** The codes a correct server may answer with; never empty. */
  readonly codes: readonly ErrorCode[];
}

/**
 * RawCase is bytes written straight to a TLS socket, for what Node's
 * client will not send: broken framing, control bytes, UTF-8 headers.
 */
export interface RawCase {
  readonly kind: 'raw';
  readonly group: string;
  readonly endpoint: string;
  readonly defect: string;
  /** The request, as latin1 text (one character per byte). */
  readonly bytes: string;
  /**
   * The codes the request underneath would get. Node's HTTP parser may
   * refuse the bytes first, with a bare 400, 417 or 431.
   */
  readonly codes: readonly ErrorCode[];
}

/** FuzzCase is either kind of case. */
export type FuzzCase = ApiCase | RawCase;

/** Access is who an endpoint serves (docs/API.md, "who"). */
export type Access = 'anyone' | 'user' | 'admin';

/** BodyCodes are an object body's codes, by who sent it. */
export type BodyCodes = (who: Who) => readonly ErrorCode[];

/**
 * BodyPlan is a case's body: bytes refused by the body reader whatever
 * the endpoint (`transport`), an object the route itself refuses
 * (`object`), or none for endpoints that read no body.
 */
export type BodyPlan =
  | {
      readonly kind: 'transport';
      readonly defect: string;
      readonly body: string | Uint8Array;
      readonly headers: Readonly<Record<string, string>>;
      readonly chunked: boolean;
      readonly codes: readonly ErrorCode[];
    }
  | {
      readonly kind: 'object';
      readonly defect: string;
      readonly text: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly codes: BodyCodes;
    }
  | { readonly kind: 'none' };

/** PathPlan is a case's path, with the codes of a path Express refuses. */
export interface PathPlan {
  readonly path: string;
  readonly defect?: string;
  /** Set when the path cannot be decoded: refused before any guard. */
  readonly refused?: readonly ErrorCode[];
  /** The route's codes for this path, for endpoints that read no body. */
  readonly codes?: BodyCodes;
}

/** CaseParts are what combine() builds a case from. */
export interface CaseParts {
  readonly group: string;
  readonly endpoint: string;
  readonly method: string;
  readonly access: Access;
  readonly limitBytes: number;
  readonly path: PathPlan;
  readonly credential: Credential;
  readonly body: BodyPlan;
  readonly extraHeaders: Readonly<Record<string, string>>;
}

/**
 * combine builds the case and its codes, in the server's order of checks
 * (docs/API.md, "Authentication"): a path Express cannot decode, then the
 * token, then the admin check, then the body reader, then the route.
 */
export function combine(parts: CaseParts): ApiCase {
  const { body, path } = parts;
  const holder = holderOf(parts.credential);
  const bytes =
    body.kind === 'none'
      ? undefined
      : body.kind === 'transport'
        ? body.body
        : body.text;
  const size = bytes === undefined ? 0 : Buffer.byteLength(bytes);

  let codes: readonly ErrorCode[];
  if (path.refused !== undefined) codes = path.refused;
  else if (parts.access !== 'anyone' && holder === undefined) {
    codes = ['unauthenticated'];
  } else if (parts.access === 'admin' && holder === 'alice') {
    codes = ['forbidden'];
  } else if (body.kind !== 'none' && size > parts.limitBytes) {
    codes = ['request_too_large'];
  } else if (body.kind === 'transport') codes = body.codes;
  else {
    // An object body's codes already take the path into account.
    const who = holder ?? 'admin';
    codes =
      body.kind === 'object' ? body.codes(who) : (path.codes?.(who) ?? []);
  }
  if (codes.length === 0) {
    throw new Error(`${parts.endpoint}: a case the server may accept`);
  }

  const defects = [
    path.defect,
    holder === undefined && parts.access !== 'anyone'
      ? `credential ${parts.credential.kind}`
      : undefined,
    body.kind === 'none' ? undefined : body.defect,
  ].filter((text) => text !== undefined);
  return {
    kind: 'api',
    group: parts.group,
    endpoint: parts.endpoint,
    defect: defects.join('; '),
    method: parts.method,
    path: path.path,
    credential: parts.credential,
    headers: {
      ...parts.extraHeaders,
      ...(body.kind === 'none' ? {} : body.headers),
    },
    ...(bytes === undefined ? {} : { body: bytes }),
    ...(body.kind === 'transport' && body.chunked ? { chunked: true } : {}),
    codes,
  };
}
