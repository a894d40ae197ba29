// Browser tests of the dashboard in real Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; ecosystem.md §2.4) against a real ebbd with a real service whose
// worker is a Python process using boto3.
//
//   EBB_EBBD=build/src/ebbd node --test web/tests/
// Optional: EBB_ARTIFACTS=DIR (screenshots; default: a temp dir), EBB_DOCS_SCREENSHOT=FILE
// (also write the overview screenshot there: docs/img/dashboard.png), EBB_CHROMIUM.
//
// Asserts on data the page fetched and on the DOM, never on pixels; screenshots are
// artefacts for people.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, until, startEbbd, stopEbbd, launchChromium } from './common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, 'worker.py');
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>&amp;';

let ebbd, base, browser, page, errors = [];
const artifacts = process.env.EBB_ARTIFACTS || null;

async function api(method, path, body) {
  const res = await fetch(`${base}/api/v1/${path}`, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const j = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(j)}`);
  return j;
}

async function shot(name) {
  if (!artifacts) return;
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

before(async () => {
  ebbd = await startEbbd('none', 'ebb-ui-');
  base = ebbd.base;

  // A queue with a DLQ after one receive, and a service (min 1, max 4) on another queue.
  await api('POST', 'apply', { items: [
    { apiVersion: 'ebb/v1', kind: 'Queue', metadata: { name: 'orders-dlq' } },
    { apiVersion: 'ebb/v1', kind: 'Queue', metadata: { name: 'orders' },
      spec: { deadLetter: { queue: 'orders-dlq', maxReceiveCount: 1 } } },
    { apiVersion: 'ebb/v1', kind: 'Queue', metadata: { name: 'work' }, spec: { visibilityTimeoutSeconds: 30 } },
    { apiVersion: 'ebb/v1', kind: 'Alarm', metadata: { name: 'orders-dlq-not-empty' },
      spec: { description: 'Messages in the DLQ of orders', metric: 'ebb_queue_dead_letter_messages',
              labels: { queue: 'orders' }, statistic: 'Maximum', comparison: 'GreaterThanThreshold', threshold: 0,
              periodSeconds: 1, evaluationPeriods: 1, notify: [{ log: { level: 'warning' } }] } },
    { apiVersion: 'ebb/v1', kind: 'Service', metadata: { name: 'pool' },
      spec: { template: { command: ['/usr/bin/python3', WORKER], env: [{ name: 'WORK_SECONDS', value: '0.4' }] },
              scaling: { queue: 'work', targetBacklogPerTask: 5, minTasks: 1, maxTasks: 4,
                         scaleInCooldownSeconds: 5, scaleToZeroDelaySeconds: 5 } } },
  ] });

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Failed loads are judged by URL below (the console only says "404"): the optional
  // APIs may be absent (the page then says so); anything else failing is an error.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const optional = /\/api\/v1\/(alarms|cost)(\?|$)/.test(r.url());
    if (r.status() >= 400 && !(optional && r.status() === 404)) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
});

after(async () => {
  try { if (browser) await browser.close(); } catch (e) { /* already gone */ }
  await stopEbbd(ebbd);
});

test('the overview renders with security headers and live charts', async () => {
  const res = await page.goto(`${base}/ui/`);
  const h = res.headers();
  assert.match(h['content-security-policy'], /default-src 'self'/);
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(h['x-content-type-options'], 'nosniff');
  await page.waitForSelector('.uplot canvas');
  await page.waitForFunction(() => window.ebbDashboard.polls > 0 && window.ebbDashboard.charts['overview-depth']);
  const cards = await page.locator('.card .label').allTextContents();
  assert.deepEqual(cards.slice(0, 3), ['queues', 'dead-letter queues', 'services']);
  const names = await page.locator('table.list').first().locator('td a').allTextContents();
  for (const q of ['orders', 'orders-dlq', 'work']) assert.ok(names.includes(q), `queue ${q} listed: ${names}`);
  // A browser at / is sent to the dashboard.
  const root = await fetch(`${base}/`, { headers: { Accept: 'text/html' }, redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/ui/');
  await shot('overview');
  assert.deepEqual(errors, []);
});

test('a burst of messages makes the service chart rise', async () => {
  await page.goto(`${base}/ui/#/services/pool`);
  await page.waitForSelector('[data-chart="service-tasks"] canvas');
  await until('one task at rest', async () => (await api('GET', 'services/pool')).status.running >= 1, 20000);
  for (let i = 0; i < 60; i++) await api('POST', 'queues/work/messages', { body: `job-${i}` });
  const seen = await until('desired and running above 1 on the chart', () => page.evaluate(() => {
    const c = window.ebbDashboard.charts['service-tasks'];
    return c && c.max[0] >= 3 && c.max[1] >= 2 ? c : null;
  }), 45000);
  assert.deepEqual(seen.columns, ['t', 'service_desired', 'service_running', 'service_backlog_per_task']);
  assert.ok(seen.points >= 60, `a chart has a point per second: ${seen.points}`);
  // The decisions table shows the autoscaler's reason for the change (the page polls the
  // events every few seconds; a loaded CI machine needed more than 10 s once). A burst
  // that is all queued before the next evaluation asks for more than maxTasks, and that
  // scale-out is recorded as CappedAtMax instead of ScaleOut.
  await until('a ScaleOut or CappedAtMax decision row', async () =>
    (await page.locator('table.list tbody tr td:nth-child(2)').allTextContents())
      .some((t) => t.includes('ScaleOut') || t.includes('CappedAtMax')), 30000);
  // ... and the changes of the desired count are marked on the chart (at least the ScaleOut;
  // the pool may go 1 -> 4 in one decision, so one mark is all a fast machine makes).
  await until('a decision mark on the chart', () => page.evaluate(() => window.ebbDashboard.decisionMarks >= 1), 15000);
  await shot('service');
  assert.deepEqual(errors, []);
});

test('logs stream into the task page', async () => {
  // Tasks come and go while the pool scales in: follow a running one, and feed the
  // queue one message at a time until that task prints one (it must then appear on
  // the page without a reload).
  const marker = `late-${Date.now()}`;
  let id = null, sent = 0;
  await until('a marker line streamed into the open task page', async () => {
    const running = (await api('GET', 'tasks?owner=service/pool')).items.filter((t) => t.status.state === 'Running');
    if (!running.length) return false;
    if (!running.some((t) => t.metadata.name === id)) {
      id = running[0].metadata.name;
      await page.goto(`${base}/ui/#/tasks/${encodeURIComponent(id)}`);
      await page.waitForFunction(() => (document.getElementById('log')?.textContent || '').includes('ready'), null, { timeout: 15000 });
    }
    await api('POST', 'queues/work/messages', { body: `${marker}-${sent++}` });
    const logged = (await api('POST', 'logs', { target: `task/${id}` })).chunks.map((c) => c.data).join('');
    if (!logged.includes(marker)) return false;
    return (await page.locator('#log').textContent()).includes(marker);
  }, 60000);
  await shot('task-log');
  assert.deepEqual(errors, []);
});

test('an XSS message body is shown as text', async () => {
  await api('POST', 'queues/orders/messages', { body: XSS });
  await page.goto(`${base}/ui/#/queues/orders`);
  await page.waitForSelector('.message pre.body');
  const text = await page.locator('.message pre.body').first().textContent();
  assert.equal(text, XSS);
  assert.equal(await page.locator('.messages img').count(), 0);
  assert.equal(await page.locator('.messages script').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await shot('xss-escaped');
  // Clean up through the page: purge asks for confirmation.
  page.once('dialog', (d) => d.accept());
  await page.click('#purge');
  await until('orders purged', async () => (await api('GET', 'queues/orders')).status.visible === 0, 10000);
  assert.deepEqual(errors, []);
});

test('redrive from the DLQ page moves the messages back', async () => {
  for (let i = 0; i < 5; i++) await api('POST', 'queues/orders/messages', { body: `order-${i}` });
  // First receive leases them with no visibility; the next receive dead-letters them.
  await api('POST', 'queues/orders/receive', { max: 10, visibilityTimeout: 0 });
  await until('5 messages in the DLQ', async () => {
    await api('POST', 'queues/orders/receive', { max: 10, visibilityTimeout: 0 });
    return (await api('GET', 'queues/orders-dlq')).status.visible === 5;
  }, 15000);
  // The DLQ alarm fires, and its page shows the transition in its history.
  await page.goto(`${base}/ui/#/alarms`);
  await until('the alarm in ALARM with a history entry', async () =>
    (await page.locator('[data-alarm="orders-dlq-not-empty"] .badge').textContent()) === 'ALARM' &&
    (await page.locator('[data-alarm="orders-dlq-not-empty"] .history li').allTextContents()).some((t) => t.includes('to ALARM')), 15000);
  await shot('alarm');
  await page.goto(`${base}/ui/#/queues/orders-dlq`);
  await page.waitForSelector('#redrive');
  await until('five peeked messages', async () => (await page.locator('.message').count()) === 5, 10000);
  await page.click('#redrive');
  await until('redrive COMPLETED on the page', async () =>
    (await page.locator('#redrive-progress').getAttribute('data-status')) === 'COMPLETED', 20000);
  assert.equal(await page.locator('#redrive-progress').getAttribute('data-moved'), '5');
  const orders = (await api('GET', 'queues/orders')).status;
  const dlq = (await api('GET', 'queues/orders-dlq')).status;
  assert.equal(orders.visible + orders.inFlight, 5);
  assert.equal(dlq.visible, 0);
  await shot('dlq-redrive');
  assert.deepEqual(errors, []);
});

test('1,000 queues: the pages stay bounded and page on the server', async () => {
  const items = [];
  for (let i = 0; i < 1000; i++) items.push({ apiVersion: 'ebb/v1', kind: 'Queue', metadata: { name: `bulk-${String(i).padStart(4, '0')}` } });
  await api('POST', 'apply', { items });
  await page.goto(`${base}/ui/#/queues`);
  await until('the queue list shows its total', async () => (await page.locator('table.list').getAttribute('data-total')) === '1003', 10000);
  assert.equal(await page.locator('table.list tbody tr').count(), 50);
  await page.click('.pager .next');
  await until('page 2', async () => (await page.locator('.pageinfo').textContent()).startsWith('51–100 of 1003'), 5000);
  await page.fill('.pager input', 'bulk-099');
  await until('filtered on the server', async () => (await page.locator('table.list').getAttribute('data-total')) === '10', 5000);
  assert.equal(await page.locator('table.list tbody tr').count(), 10);
  assert.ok(await page.evaluate(() => document.getElementsByTagName('*').length) < 3000, 'DOM stays small');
  assert.deepEqual(errors, []);
});

test('alarms and cost pages degrade or render, and the overview screenshot is taken', async () => {
  await page.goto(`${base}/ui/#/alarms`);
  await until('alarms page content', async () => (await page.locator('main section.alarm').count()) === 1, 10000);
  await page.goto(`${base}/ui/#/cost`);
  // The pool's tasks have run: the page prices them (Fargate and always-on) per owner.
  await until('cost cards and the pool row', async () =>
    /^\$\d/.test(await page.locator('.card .value').first().textContent()) &&
    (await page.locator('main table.list td').first().textContent()) === 'Service/pool', 10000);
  await shot('cost');
  await page.goto(`${base}/ui/#/`);
  await page.waitForFunction(() => window.ebbDashboard.charts['overview-tasks']);
  await sleep(500);
  await shot('overview-final');
  if (process.env.EBB_DOCS_SCREENSHOT) await page.screenshot({ path: process.env.EBB_DOCS_SCREENSHOT });
  assert.deepEqual(errors, []);
});
