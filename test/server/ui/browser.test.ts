// The web UI end to end in headless Chromium (Debian's, driven by
// playwright-core): init, unseal, login, a transit mount with a key,
// encrypt and decrypt through the forms, a policy rule and a seal; the
// refusals a person meets; and the pages with the keyboard and on a
// phone. A screenshot of each page goes to .test-output/web/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { projectPath } from '../../../src/paths.js';
import { SESSION_COOKIE } from '../../../src/server/ui/cookies.js';
import { devUser } from '../../fixtures/identity-process.js';
import { PASSWORD } from '../../keyworker/vault-scratch.js';
import { Harness } from '../harness.js';

const SCREENSHOTS = projectPath('.test-output', 'web');

// Debian's chromium, quiet: no sandbox (containers lack the namespaces
// it needs), and nothing that reaches out to the network on its own.
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-sync',
  ],
};

describe('web UI in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // What the page reported: script errors, CSP violations (reported as
  // console errors) and static files that did not load.
  let problems: string[];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    h = await Harness.start();
    browser = await chromium.launch(CHROMIUM);
  });

  after(async () => {
    await browser.close();
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
    ({ context, page, problems } = await openPage(browser));
  });

  afterEach(async () => {
    await context.close();
  });

  const url = (path: string): string => h.url + path;

  const shoot = async (name: string): Promise<void> => {
    // caret 'initial': hiding the caret leaves style="" on inputs, which
    // the CSP would then report when htmx swaps them.
    await page.screenshot({
      path: `${SCREENSHOTS}/${name}.png`,
      fullPage: true,
      caret: 'initial',
    });
  };

  const login = async (username: string): Promise<void> => {
    await page.goto(url('/login'));
    await page.getByLabel('Username').fill(username);
    await page
      .getByLabel('Password', { exact: true })
      .fill(devUser(username).password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(url('/dashboard'));
    await rememberSession(h, context);
  };

  it('walks from init to a seal: transit, a key, encrypt, decrypt, a rule', async () => {
    // Step 1: the front door of a new vault leads to init.
    await page.goto(url('/'));
    await page.waitForURL(url('/init'));
    await shoot('init');
    await page.getByLabel('Seal password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Seal password, again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Initialize' }).click();
    await page.waitForURL(url('/login'));
    await shoot('login');

    // Step 2: log in; the dashboard shows the state and the version.
    await login('admin');
    assert.equal(await page.locator('#status-state').textContent(), 'unsealed');
    assert.equal(await page.locator('#status-version').textContent(), '0.1.0');
    await shoot('dashboard');

    // Step 3: mount transit and create a key, each swapped in by htmx.
    await page.getByLabel('Name', { exact: true }).fill('transit');
    await page.locator('#mount-type').selectOption('transit');
    await page.getByRole('button', { name: 'Mount' }).click();
    await page.getByRole('heading', { name: 'Transit: transit' }).waitFor();
    await page.getByLabel('Key name').fill('orders');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('key orders created').waitFor();
    assert.equal(
      await page.locator('#transit-transit-keys').textContent(),
      '\n    orders\n  ',
    );

    // Step 4: encrypt a text, then decrypt the ciphertext back to it.
    await page.getByLabel('Text to encrypt').fill('attack at dawn');
    await page.getByRole('button', { name: 'Encrypt' }).click();
    const ciphertext = await page
      .locator('#encrypt-transit-result')
      .textContent();
    assert.match(ciphertext ?? '', /^metacrypt:v1:/);
    await page.getByLabel('Ciphertext to decrypt').fill(ciphertext ?? '');
    await page.getByRole('button', { name: 'Decrypt' }).click();
    const decrypted = page.locator('#decrypt-transit-result');
    assert.equal(await decrypted.textContent(), 'attack at dawn');
    await shoot('dashboard-transit');

    // Step 5: a rule letting users encrypt and decrypt on the mount.
    await page.getByLabel('Id', { exact: true }).fill('users-transit');
    await page.getByLabel('Priority').fill('10');
    await page.getByLabel(/^Roles/).fill('user');
    await page.getByLabel(/^Resources/).fill('engine/transit/*');
    await page.getByLabel('encrypt', { exact: true }).check();
    await page.getByLabel('decrypt', { exact: true }).check();
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('#rule-users-transit').waitFor();
    await shoot('dashboard-policy');

    // Step 6: seal, through the confirmation step.
    await page.getByRole('button', { name: 'Seal the vault…' }).click();
    await page.getByRole('heading', { name: 'Seal the vault now?' }).waitFor();
    await shoot('seal-confirm');
    await page.getByRole('button', { name: 'Seal now' }).click();
    await page.waitForURL(url('/unseal'));
    await page.getByRole('heading', { name: 'Unseal the vault' }).waitFor();
    const status = await h.call('GET', '/v1/status');
    assert.deepEqual(status.body, { state: 'sealed' });
    await shoot('unseal');
    assert.deepEqual(problems, []);
  });

  it('shows a wrong unseal password, then unseals with the right one', async () => {
    await sealedVault(h);
    await page.goto(url('/'));
    await page.waitForURL(url('/unseal'));
    await page.getByLabel('Seal password').fill('not the seal password');
    await page.getByRole('button', { name: 'Unseal' }).click();
    const alert = page.getByRole('alert');
    assert.equal(await alert.textContent(), 'invalid password');
    await shoot('unseal-error');

    await page.getByLabel('Seal password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Unseal' }).click();
    await page.waitForURL(url('/login'));
    assert.deepEqual(problems, []);
  });

  it('shows a user no admin controls, and the keys the policy allows', async () => {
    await h.init();
    const admin = await h.login('admin');
    await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'transit', type: 'transit' },
    });
    await login('alice');
    await page.getByRole('heading', { name: 'Transit: transit' }).waitFor();
    assert.equal(await page.getByText('you may not list the keys').count(), 1);
    for (const admin of [
      '#mount-name',
      '#policy',
      '#seal',
      '#create-key-transit-name',
    ]) {
      assert.equal(await page.locator(admin).count(), 0, admin);
    }
    await shoot('dashboard-user');

    // Encrypting without a rule that allows it is refused in the form.
    await page.getByLabel('Key').first().fill('orders');
    await page.getByLabel('Text to encrypt').fill('hello');
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByRole('alert').filter({ hasText: 'forbidden' }).waitFor();
    assert.deepEqual(problems, []);
  });

  it('logs in and out with the keyboard alone', async () => {
    await h.init();
    await page.goto(url('/login'));

    // The skip link comes first, then the header, then the form in order.
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Metacrypt');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'login-username');
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'login-password');
    await page.keyboard.type(devUser('admin').password);
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/dashboard'));
    await rememberSession(h, context);

    // The focus ring is drawn (outline) on the focused control.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Log out');
    // Page code as text: the tests compile without the DOM's types.
    const outline = await page.evaluate<string>(
      'getComputedStyle(document.activeElement).outlineStyle',
    );
    assert.equal(outline, 'solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/login'));
    assert.deepEqual(problems, []);
  });

  it('fits a phone screen', async () => {
    await h.init();
    const admin = await h.login('admin');
    await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'transit', type: 'transit' },
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await login('admin');
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    assert.ok(overflow <= 0, `the page is ${String(overflow)}px too wide`);
    await shoot('dashboard-phone');
    assert.deepEqual(problems, []);
  });
});

async function openPage(browser: Browser): Promise<{
  context: BrowserContext;
  page: Page;
  problems: string[];
}> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const problems: string[] = [];
  // A form refused on purpose answers 4xx, which Chromium reports as a
  // failed resource; only a missing script, style or icon is a problem.
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() !== 'error') return;
    if (!text.startsWith('Failed to load resource')) problems.push(text);
  });
  page.on('response', (response) => {
    const failed = response.status() >= 400;
    if (failed && response.url().includes('/static/')) {
      problems.push(`${String(response.status())} ${response.url()}`);
    }
  });
  page.on('pageerror', (error) => {
    problems.push(error.message);
  });
  return { context, page, problems };
}

// The browser's session token is a secret the harness checks the logs
// for, like the tokens it makes itself.
async function rememberSession(
  h: Harness,
  context: BrowserContext,
): Promise<void> {
  for (const cookie of await context.cookies()) {
    if (cookie.name !== SESSION_COOKIE) continue;
    h.secret(cookie.value);
    const token = cookie.value.split('.')[2] ?? '';
    h.secret(Buffer.from(token, 'base64url').toString('utf8'));
  }
}

async function sealedVault(h: Harness): Promise<void> {
  await h.init();
  const admin = await h.login('admin');
  await h.call('POST', '/v1/seal', { token: admin });
}

// The focused element, by its id or else its text.
async function focused(page: Page): Promise<string> {
  const element = page.locator(':focus');
  if ((await element.count()) === 0) return 'none';
  const id = await element.getAttribute('id');
  return id ?? ((await element.textContent()) ?? '').trim();
}
