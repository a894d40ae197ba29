// Keeps the dashboard open in headless Chromium for bench/metrics_bench.py: Debian's
// /usr/bin/chromium (or EBB_CHROMIUM) driven by playwright-core from web/node_modules
// (scripts/install-deps.sh runs npm ci there), as web/tests does.
//
//   node bench/dashboard_open.mjs URL
//
// Opens URL (e.g. http://127.0.0.1:PORT/ui/#/queues/NAME), waits until the page has
// fetched its charts, prints "ready" on stdout, then stays open (the page polls by
// itself) until stdin closes or SIGTERM. On exit prints one JSON line with the number
// of /api/v1 requests the page made and how many failed. Bounded: gives up after 30 s
// if the page never becomes ready and exits after 15 minutes in any case.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const url = process.argv[2];
if (!url) {
  console.error('usage: dashboard_open.mjs URL');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.EBB_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let requests = 0, failed = 0;
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('requestfinished', (r) => { if (r.url().includes('/api/v1/')) requests++; });
page.on('requestfailed', (r) => { if (r.url().includes('/api/v1/')) failed++; });
await page.goto(url);
await page.waitForFunction(() => window.ebbDashboard && Object.keys(window.ebbDashboard.charts).length >= 3,
  null, { timeout: 30000 });
console.log('ready');

let done = false;
async function finish() {
  if (done) return;
  done = true;
  console.log(JSON.stringify({ requests, failed }));
  await browser.close();
  process.exit(0);
}
process.stdin.on('end', finish);
process.stdin.resume();
process.on('SIGTERM', finish);
setTimeout(finish, 15 * 60 * 1000);
