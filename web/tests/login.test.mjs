// Dashboard login under ebbd --auth sigv4 (reliability.md §4.2; docs/dashboard.md#login),
// in real Chromium against a real ebbd. Tokens are made with the real `ebb` CLI (next to
// ebbd in the build tree, or EBB_EBB), which signs with the admin key in the data dir.
//
//   EBB_EBBD=build/src/ebbd node --test web/tests/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { EBBD, until, startEbbd, stopEbbd, launchChromium } from './common.mjs';

const EBB = process.env.EBB_EBB || (EBBD ? join(dirname(EBBD), 'ebb') : '');

let tmp, ebbd, base, browser, context, page, errors = [];

function ebb(...args) {
  return execFileSync(EBB, ['--server', base, ...args], {
    encoding: 'utf8', timeout: 30000, stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, EBB_CREDENTIALS_FILE: join(tmp, 'data', 'credentials'), EBB_TOKEN: '' },
  }).trim();
}

before(async () => {
  assert.ok(existsSync(EBB), `the ebb CLI must sit next to ebbd (${EBB})`);
  ebbd = await startEbbd('sigv4', 'ebb-ui-login-');
  ({ base, tmp } = ebbd);
  execFileSync(EBB, ['--server', base, 'apply', '-f', '-'], {
    input: 'apiVersion: ebb/v1\nkind: Queue\nmetadata:\n  name: orders\n', timeout: 30000,
    env: { ...process.env, EBB_CREDENTIALS_FILE: join(tmp, 'data', 'credentials'), EBB_TOKEN: '' },
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
});

after(async () => {
  try { if (browser) await browser.close(); } catch (e) { /* already gone */ }
  await stopEbbd(ebbd);
});

test('the API refuses a browser without a session', async () => {
  assert.equal((await fetch(`${base}/api/v1/queues`)).status, 401);
  assert.equal((await fetch(`${base}/ui/session`)).status, 401);
  // A form post from another site cannot log in: JSON only.
  const r = await fetch(`${base}/ui/login`, { method: 'POST', body: 'token=x',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 415);
});

test('login page, a wrong token, then a write token; cookie flags; CSRF; logout', async () => {
  const write = ebb('token', 'create', '--scope', 'write', '--name', 'browser');
  assert.match(write, /^ebb_[A-Za-z0-9_-]{43}$/);
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('#login-token', { timeout: 15000 });

  await page.fill('#login-token', 'ebb_' + 'x'.repeat(43));
  await page.click('#login-submit');
  await until('the login error', async () => (await page.textContent('#login-error')).includes('not valid'), 10000);

  await page.fill('#login-token', write);
  await page.click('#login-submit');
  await page.waitForSelector('#login', { state: 'detached', timeout: 15000 });
  await until('the overview with the queue', async () => (await page.textContent('#main')).includes('orders'), 15000);

  const cookies = await context.cookies(base);
  const c = cookies.find((x) => x.name === 'ebb_session');
  assert.ok(c, `session cookie set (${JSON.stringify(cookies)})`);
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  assert.equal(c.path, '/');
  assert.equal(await page.evaluate(() => document.cookie.includes('ebb_session')), false, 'not readable by scripts');

  // State-changing requests with the cookie need the CSRF token.
  const noCsrf = await page.evaluate(async () => (await fetch('/api/v1/queues/orders/messages', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"body":"x"}' })).status);
  assert.equal(noCsrf, 403);
  const withCsrf = await page.evaluate(async () => {
    const s = await (await fetch('/ui/session')).json();
    return (await fetch('/api/v1/queues/orders/messages', { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{"body":"x"}' })).status;
  });
  assert.equal(withCsrf, 200);
  // Token management stays admin-only even with a session.
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/tokens')).status), 403);

  await page.click('#logout');
  await page.waitForSelector('#login-token', { timeout: 10000 });
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/queues')).status), 401);
  assert.deepEqual(errors, []);
});

test('revoking the token ends its dashboard session', async () => {
  const read = ebb('token', 'create', '--scope', 'read', '--name', 'viewer');
  await page.goto(`${base}/ui/#/queues`);
  await page.waitForSelector('#login-token', { timeout: 15000 });
  await page.fill('#login-token', read);
  await page.click('#login-submit');
  await until('the queues page', async () => (await page.textContent('#main')).includes('orders'), 15000);
  const list = JSON.parse(ebb('token', 'list', '-o', 'json'));
  const id = list.items.find((t) => t.name === 'viewer').id;
  ebb('token', 'revoke', id);
  // The page polls: its next request is refused and it shows the login form.
  await page.waitForSelector('#login-token', { timeout: 20000 });
  assert.equal(await page.evaluate(async () => (await fetch('/ui/session')).status), 401);
  assert.deepEqual(errors, []);
});
