#!/usr/bin/env node
// The container's health probe: exits 0 when the server answers
// GET /v1/status with its state, else 1 with the reason on stderr.
import { request } from 'node:https';
import { clearTimeout, setTimeout } from 'node:timers';

// The image's server listens on :8443; METACRYPT_HEALTHCHECK_URL points
// the probe elsewhere when the configuration moves it.
const DEFAULT_URL = 'https://127.0.0.1:8443/v1/status';
const TIMEOUT_MS = 4000;

// A status reply is a few bytes; a much longer one is not a status reply.
const MAX_BODY_CHARS = 64 * 1024;

/** Reason is a failure whose message is complete as it stands. */
class Reason extends Error {}

/**
 * probeUrl reads the URL to probe from env. The text itself is never
 * shown: a URL can carry a password.
 *
 * @param {NodeJS.ProcessEnv} env
 * @returns {URL}
 */
function probeUrl(env) {
  const text = env.METACRYPT_HEALTHCHECK_URL || DEFAULT_URL;
  if (!URL.canParse(text)) {
    throw new Reason('METACRYPT_HEALTHCHECK_URL is not a URL');
  }
  const url = new URL(text);
  if (url.protocol !== 'https:') {
    throw new Reason('METACRYPT_HEALTHCHECK_URL must be an https:// URL');
  }
  return url;
}

/**
 * shown is url as messages show it: no user, password or query.
 *
 * @param {URL} url
 * @returns {string}
 */
function shown(url) {
  return url.origin + url.pathname;
}

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {string} type the content type, '' when there is none
 * @property {string} body
 */

/**
 * get sends GET url and resolves with the reply, or rejects when the
 * connection fails or no whole reply arrives within TIMEOUT_MS.
 *
 * @param {URL} url
 * @returns {Promise<Reply>}
 */
function get(url) {
  return new Promise((resolve, reject) => {
    // The certificate is not verified, which is safe here: the probe runs
    // beside the server and reaches it over loopback, sends no credential,
    // and reads only the state /v1/status tells anyone who asks. Verifying
    // would need the CA, and a name the certificate has for 127.0.0.1.
    const req = request(url, {
      agent: false,
      headers: { accept: 'application/json' },
      rejectUnauthorized: false,
    });

    const timer = setTimeout(() => {
      req.destroy(new Reason(`no answer from ${shown(url)} within 4 s`));
    }, TIMEOUT_MS);
    req.on('close', () => {
      clearTimeout(timer);
    });

    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
        if (body.length > MAX_BODY_CHARS) {
          req.destroy(new Reason(`${shown(url)} answered too long a reply`));
        }
      });
      res.on('error', reject);
      res.on('end', () => {
        const type = res.headers['content-type'] ?? '';
        resolve({ status: res.statusCode ?? 0, type, body });
      });
    });
    req.end();
  });
}

/**
 * stateIn returns the state a status reply names: it must be 200, JSON,
 * and an object whose state is a string. Any state will do.
 *
 * @param {URL} url
 * @param {Reply} reply
 * @returns {string}
 */
function stateIn(url, reply) {
  const from = shown(url);
  if (reply.status !== 200) {
    throw new Reason(`${from} answered ${reply.status}`);
  }
  if (!/^application\/json\s*(;|$)/i.test(reply.type)) {
    const type = reply.type === '' ? 'no content type' : reply.type;
    throw new Reason(`${from} answered ${type}, not JSON`);
  }

  let parsed;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    throw new Reason(`${from} answered JSON that does not parse`);
  }
  const state =
    typeof parsed === 'object' && parsed !== null ? parsed.state : undefined;
  if (typeof state !== 'string' || state === '') {
    throw new Reason(`${from} answered without a state`);
  }
  return state;
}

/**
 * reasonOf is err as one line: TLS errors from OpenSSL can span several.
 *
 * @param {unknown} err
 * @param {URL | undefined} url
 * @returns {string}
 */
function reasonOf(err, url) {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.replace(/\s+/g, ' ').trim();
  if (err instanceof Reason || url === undefined) return line;

  // OpenSSL's words for a peer that answered without TLS.
  if (line.includes('wrong version number')) {
    return `${shown(url)}: no TLS handshake (is it plain HTTP?)`;
  }
  return `${shown(url)}: ${line}`;
}

/** @returns {Promise<number>} the exit code */
async function main() {
  /** @type {URL | undefined} */
  let url;
  try {
    url = probeUrl(process.env);
    const state = stateIn(url, await get(url));
    process.stdout.write(`healthcheck: ok, ${state}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`healthcheck: ${reasonOf(err, url)}\n`);
    return 1;
  }
}

process.exitCode = await main();
