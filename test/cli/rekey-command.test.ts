// `metacrypt rekey`, run as a real process: the current password and the
// new one from prompts or two lines of stdin; afterwards only the new one
// unseals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readyCliTarget } from '../fixtures/cli-target.js';
import { TLS_FILES } from '../fixtures/tls-files.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

const NEW_PASSWORD = 'staple battery horse correct';

describe('metacrypt rekey', () => {
  const target = readyCliTarget();
  const { home, server, asAdmin } = target;

  it('changes the password; then only the new one unseals', async () => {
    const run = await home.run(
      ['rekey', ...asAdmin(), '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n${NEW_PASSWORD}\n` },
    );
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { addr: string; rekeyed_at: string };
    assert.equal(out.addr, target.url);
    assert.ok(!Number.isNaN(Date.parse(out.rekeyed_at)), out.rekeyed_at);

    const sealed = await home.run(['seal', ...asAdmin()]);
    assert.equal(sealed.status, 0, sealed.stderr);
    const old = await home.run(['unseal', ...server(), '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(old.status, 1);
    assert.equal(old.stderr, 'invalid password\n');
    const fresh = await home.run(['unseal', ...server(), '--password-stdin'], {
      stdin: `${NEW_PASSWORD}\n`,
    });
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.equal(fresh.stdout, `${target.url}: unsealed\n`);
  });

  it('exits 1 with invalid password for a wrong current one', async () => {
    const run = await home.run(['rekey', ...asAdmin(), '--password-stdin'], {
      stdin: `${PASSWORD}\n${NEW_PASSWORD}\n`,
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'invalid password\n');
  });

  it('refuses two different new passwords at the prompt', async () => {
    const tty = await home.runTty(
      ['rekey', ...asAdmin()],
      [
        { expect: 'Current seal password: ', send: `${NEW_PASSWORD}\r` },
        { expect: 'New seal password: ', send: `${PASSWORD}\r` },
        { expect: 'Repeat new seal password: ', send: 'something else\r' },
      ],
    );
    assert.equal(tty.status, 1, tty.output);
    assert.match(tty.output, /passwords do not match/);
    for (const typed of [NEW_PASSWORD, PASSWORD, 'something else']) {
      assert.ok(!tty.output.includes(typed), 'a password was echoed');
    }
  });

  it('rekeys from the prompts, echoing nothing', async () => {
    const tty = await home.runTty(
      ['rekey', ...asAdmin()],
      [
        { expect: 'Current seal password: ', send: `${NEW_PASSWORD}\r` },
        { expect: 'New seal password: ', send: `${PASSWORD}\r` },
        { expect: 'Repeat new seal password: ', send: `${PASSWORD}\r` },
      ],
    );
    assert.equal(tty.status, 0, tty.output);
    assert.match(tty.output, /seal password changed at /);
    assert.ok(!tty.output.includes(NEW_PASSWORD), 'a password was echoed');
    assert.ok(!tty.output.includes(PASSWORD), 'a password was echoed');

    // PASSWORD is back in force.
    await target.h.call('POST', '/v1/seal', { token: target.admin });
    await target.h.unseal();
  });

  it('needs both lines on stdin', async () => {
    const run = await home.run(['rekey', ...asAdmin(), '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      '--password-stdin: stdin ended before the new seal password\n',
    );
  });

  it('refuses a stdin that is not a terminal without --password-stdin', async () => {
    const run = await home.run(['rekey', ...asAdmin()], { stdin: PASSWORD });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      'stdin is not a terminal: pass --password-stdin to read the ' +
        'password from it\n',
    );
  });

  it("passes on the server's refusals: short password, non-admin", async () => {
    const short = await home.run(['rekey', ...asAdmin(), '--password-stdin'], {
      stdin: `${PASSWORD}\ntoo short\n`,
    });
    assert.equal(short.status, 1);
    assert.equal(short.stderr, 'password must be at least 12 characters\n');

    const user = await home.run(['rekey', '--password-stdin', '--json'], {
      stdin: `${PASSWORD}\n${NEW_PASSWORD}\n`,
      env: {
        METACRYPT_ADDR: target.url,
        METACRYPT_CA_CERT: TLS_FILES.caCert,
        METACRYPT_TOKEN: target.alice,
      },
    });
    assert.equal(user.status, 1);
    assert.deepEqual(JSON.parse(user.stdout), {
      error: 'forbidden',
      code: 'forbidden',
    });
  });

  it('refuses a sealed vault before asking', async () => {
    await target.h.call('POST', '/v1/seal', { token: target.admin });
    const run = await home.run(['rekey', ...asAdmin()]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'sealed\n');
  });
});
