// What the replay and walk-forward browser tests share: Debian's chromium, headless, and the
// demo page opened twice, against the COOP/COEP server (the threaded build) and a server
// without those headers (the single-threaded build), each page's console errors kept.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(ROOT, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** @typedef {{ context: any, page: import('playwright-core').Page, problems: string[] }} OpenPage */

/**
 * Starts both servers and chromium, and opens the demo on each (ready: `__demo.ready`).
 * @returns {Promise<{ pages: Record<'isolated' | 'plain', OpenPage>, close: () => Promise<void> }>}
 */
export async function openTwoPages() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-browser.sh does it)`);
  assert.ok(existsSync(join(ROOT, 'pkg', 'browser.js')), 'pkg/ is missing: bash scripts/build-wasm.sh');
  const servers = [await startServer({ port: 0, isolation: true }), await startServer({ port: 0, isolation: false })];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  mkdirSync(SHOTS, { recursive: true });
  /** @param {string} url @returns {Promise<OpenPage>} */
  const open = async (url) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    /** @type {string[]} */
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(url);
    await page.evaluate(() => /** @type {any} */ (window).__demo.ready);
    return { context, page, problems };
  };
  const pages = { isolated: await open(servers[0].url), plain: await open(servers[1].url) };
  const close = async () => {
    for (const r of Object.values(pages)) await r.context.close().catch(() => {});
    await browser.close().catch(() => {});
    await Promise.all(servers.map((s) => s.close()));
  };
  return { pages, close };
}
