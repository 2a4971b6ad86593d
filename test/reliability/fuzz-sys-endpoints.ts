// The vault's own endpoints and the auth endpoints as the bad-input fuzz
// attacks them: init, unseal, rekey, seal and the barrier's keys; login,
// logout and tokeninfo (docs/API.md).
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { MOUNT_NAME } from '../../src/engine/mount-name.js';
import { jsonBody, objectPlan } from './fuzz-bodies.js';
import type { BodyLimits } from './fuzz-bodies.js';
import type { Access, BodyPlan } from './fuzz-case.js';
import { bodyless, fixed, FUZZ_MOUNT } from './fuzz-endpoint.js';
import type { Endpoint } from './fuzz-endpoint.js';
import { defectiveObject, stringField } from './fuzz-fields.js';
import type { Fields } from './fuzz-fields.js';
import { absentName } from './fuzz-noise.js';
import { awkwardChar, hostileString } from './fuzz-values.js';

// Passwords with awkward characters, valid as far as the schema goes.
const passwordText = fc.string({
  unit: fc.oneof(
    awkwardChar,
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  minLength: 1,
  maxLength: 24,
});
const password = stringField({
  max: 4096,
  valid: passwordText,
  required: true,
});
// Under the minimum of 12, counted in code points (docs/API.md, init).
const shortPassword = fc.string({
  unit: 'binary',
  minLength: 1,
  maxLength: 11,
});
const strongPassword = fc.string({
  unit: 'grapheme',
  minLength: 12,
  maxLength: 40,
});

/** sysEndpoints are init, unseal, rekey, seal and the barrier's. */
export function sysEndpoints(limits: BodyLimits): Endpoint[] {
  const json = (
    template: string,
    access: Access,
    objects: Arbitrary<BodyPlan>,
  ): Endpoint => ({
    group: 'sys',
    method: 'POST',
    template,
    access,
    requests: fixed(template, jsonBody(objects, limits)),
  });
  const passwordBody = { password };
  const rekeyBody = { old_password: password, new_password: password };
  const keyId = stringField({
    max: 128,
    valid: fc.constantFrom('system', `engine/${FUZZ_MOUNT}`),
    required: true,
  });
  return [
    json(
      '/v1/init',
      'anyone',
      fc.oneof(
        objectPlan(defectiveObject(passwordBody), ['bad_request']),
        objectPlan(
          strongPassword.map((p) => ({
            value: { password: p },
            defect: 'a second init',
          })),
          ['already_initialized'],
        ),
        objectPlan(
          shortPassword.map((p) => ({
            value: { password: p },
            defect: 'short password',
          })),
          ['password_too_short', 'already_initialized'],
        ),
      ),
    ),
    // A well-formed unseal of an unsealed vault succeeds without looking
    // at the password, so only malformed ones are cases.
    json(
      '/v1/unseal',
      'anyone',
      objectPlan(defectiveObject(passwordBody), ['bad_request']),
    ),
    json(
      '/v1/rekey',
      'admin',
      fc.oneof(
        objectPlan(defectiveObject(rekeyBody), ['bad_request']),
        // The new password is checked before the old one is tried, so
        // nothing counts towards the lockout.
        objectPlan(
          fc.tuple(passwordText, shortPassword).map(([old, next]) => ({
            value: { old_password: old, new_password: next },
            defect: 'short new password',
          })),
          ['password_too_short'],
        ),
      ),
    ),
    bodyless('sys', 'POST', '/v1/seal', 'admin'),
    bodyless('sys', 'GET', '/v1/barrier/keys', 'admin'),
    json(
      '/v1/barrier/rotate-key',
      'admin',
      fc.oneof(
        objectPlan(defectiveObject({ key_id: keyId }), ['bad_request']),
        objectPlan(
          hostileString()
            .filter((id) => id.length >= 1 && id.length <= 128)
            .filter((id) => id !== 'system' && !id.startsWith('engine/'))
            .map((id) => ({ value: { key_id: id }, defect: 'not a key id' })),
          ['invalid_path'],
        ),
        objectPlan(
          // Within the 128 characters of a key id, so the id rule decides.
          hostileString(60)
            .filter((mount) => !MOUNT_NAME.test(mount) && mount.length <= 121)
            .map((mount) => ({
              value: { key_id: `engine/${mount}` },
              defect: 'bad mount',
            })),
          ['invalid_path'],
        ),
        objectPlan(
          absentName.map((mount) => ({
            value: { key_id: `engine/${mount}` },
            defect: 'no mount',
          })),
          ['not_found'],
        ),
      ),
    ),
    json(
      '/v1/barrier/rotate-mek',
      'admin',
      objectPlan(defectiveObject(passwordBody), ['bad_request']),
    ),
  ];
}

/** authEndpoints are login, logout and tokeninfo. */
export function authEndpoints(limits: BodyLimits): Endpoint[] {
  const login: Fields = {
    username: stringField({ max: 256, required: true }),
    password,
    totp_code: stringField({ min: 6, max: 8, pattern: /^\d{6,8}$/ }),
  };
  const stranger = fc
    .tuple(
      hostileString(40),
      passwordText,
      fc.option(fc.stringMatching(/^\d{6,8}$/)),
    )
    .map(([name, secret, totp]) => ({
      value: {
        username: `nobody-${name}`.slice(0, 256),
        password: secret,
        ...(totp === null ? {} : { totp_code: totp }),
      },
      defect: 'no such user',
    }));
  return [
    {
      group: 'auth',
      method: 'POST',
      template: '/v1/auth/login',
      access: 'anyone',
      requests: fixed(
        '/v1/auth/login',
        jsonBody(
          fc.oneof(
            {
              arbitrary: objectPlan(defectiveObject(login), ['bad_request']),
              weight: 4,
            },
            {
              arbitrary: objectPlan(stranger, ['invalid_credentials']),
              weight: 1,
            },
          ),
          limits,
        ),
      ),
    },
    bodyless('auth', 'POST', '/v1/auth/logout', 'user'),
    bodyless('auth', 'GET', '/v1/auth/tokeninfo', 'user'),
  ];
}
