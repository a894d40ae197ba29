// What the browser tests share: a real ebbd on 127.0.0.1:0 with a temporary data dir,
// Debian's Chromium through playwright-core (ecosystem.md §2.4), and polling helpers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const EBBD = process.env.EBB_EBBD;
export const CHROMIUM = process.env.EBB_CHROMIUM || '/usr/bin/chromium';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn every 200 ms until it returns something truthy; throws naming `what` after timeoutMs.
export async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
}

// Starts ebbd (`--auth` as given) in a fresh temp dir; resolves to { tmp, base, proc } once
// /readyz answers. ebbd's stderr is kept (last ~1 MB) and printed if it exits non-zero.
export async function startEbbd(auth, prefix) {
  assert.ok(EBBD && existsSync(EBBD), 'EBB_EBBD must name the ebbd binary');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh`);
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const portFile = join(tmp, 'port');
  const proc = spawn(EBBD, ['--listen', '127.0.0.1:0', '--data-dir', join(tmp, 'data'), '--auth', auth,
    '--port-file', portFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; if (log.length > 1e6) log = log.slice(-5e5); });
  proc.on('exit', (code) => { if (code) console.error(`ebbd exited ${code}\n${log.slice(-4000)}`); });
  const addr = await until('ebbd port file', () => existsSync(portFile) && readFileSync(portFile, 'utf8').trim(), 10000);
  const base = `http://${addr}`;
  await until('/readyz', async () => (await fetch(`${base}/readyz`)).ok, 10000);
  return { tmp, base, proc };
}

// SIGTERM (SIGKILL after 10 s), then the temp dir goes.
export async function stopEbbd(e) {
  if (!e) return;
  if (e.proc.exitCode === null) {
    e.proc.kill('SIGTERM');
    const done = new Promise((r) => e.proc.once('exit', r));
    const t = setTimeout(() => e.proc.kill('SIGKILL'), 10000);
    await done;
    clearTimeout(t);
  }
  rmSync(e.tmp, { recursive: true, force: true });
}

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
