// The caller's identity: the admin role, and a frozen shared value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { identityOf } from '../../src/auth/index.js';

const info = (roles: string[]): Parameters<typeof identityOf>[0] => ({
  sub: 's',
  username: 'u',
  roles,
  expiresAt: new Date(0),
});

describe('identityOf', () => {
  it('makes the MCIAS admin role a Metacrypt admin, in any case', () => {
    assert.equal(identityOf(info(['user', 'admin'])).isAdmin, true);
    assert.equal(identityOf(info(['Admin'])).isAdmin, true);
    assert.equal(identityOf(info(['user', 'administrator'])).isAdmin, false);
    assert.equal(identityOf(info([])).isAdmin, false);
  });

  it('freezes the identity and its roles and copies what it was given', () => {
    const roles = ['user'];
    const identity = identityOf(info(roles));
    roles.push('admin');
    assert.deepEqual(identity.roles, ['user']);
    assert.ok(Object.isFrozen(identity));
    assert.ok(Object.isFrozen(identity.roles));
  });
});
