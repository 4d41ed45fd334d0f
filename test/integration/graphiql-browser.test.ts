/**
 * GraphiQL in a real headless Chromium (Debian's `chromium`, driven by playwright-core): it opens
 * against the gateway on the sandbox, with no Content-Security-Policy violation, runs the first
 * tab's example and shows its result. Skipped, with the reason printed, when Chromium is not
 * installed, unless CI_REQUIRE_CHROMIUM=1 (.ci/run sets it, and installs Chromium).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTabs } from '../../src/example.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI_REQUIRE_CHROMIUM === '1')
    throw new Error(
      `CI_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM} (apt-get install chromium)`,
    );
  console.warn(`GraphiQL browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

let stack: Stack;
let browser: Browser;

describe.skipIf(!hasChromium)('GraphiQL in Chromium', () => {
  beforeAll(async () => {
    stack = await startStack({
      serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
      exampleTabs,
    });
    // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('opens, runs the first example and shows its result', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const assets: Array<{ url: string; encoding?: string }> = [];
    page.on('response', (r) => {
      if (r.url().includes('/graphiql/'))
        assets.push({ url: r.url(), encoding: r.headers()['content-encoding'] });
    });

    await page.goto(`${stack.gatewayUrl}/graphql`);
    // One tab per example; the first is the welcome query.
    const tabs = page.locator('.graphiql-tab');
    await expect.poll(() => tabs.count(), { timeout: 30_000 }).toBe(exampleTabs.length);
    await page
      .locator('.graphiql-query-editor')
      .getByText('query Explore')
      .first()
      .waitFor({ timeout: 30_000 });

    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    // Monaco lays the result out with non-breaking spaces: compare with whitespace folded.
    const shown = async () => ((await response.textContent()) ?? '').replace(/\s+/g, ' ');
    await expect.poll(shown, { timeout: 30_000 }).toContain('"name": "Sales Transactions"');
    const text = await shown();
    expect(text).toContain('"dataset"');
    expect(text).not.toContain('"errors"');

    // Every asset came compressed, the Monaco workers from their own URLs; no error on the page,
    // so nothing was refused by its CSP (Chromium reports a violation as a console error).
    // The favicon and the workers load on their own schedule: wait for them.
    // (Monaco may start a worker more than once: one per editor.)
    const names = () =>
      [
        ...new Set(
          assets.map((a) =>
            a.url
              .split('/')
              .pop()!
              .replace(/\.[\w-]{16}\./, '.'),
          ),
        ),
      ].sort();
    await expect
      .poll(names, { timeout: 30_000 })
      .toEqual([
        'editor.worker.js',
        'favicon.ico',
        'graphiql.css',
        'graphiql.js',
        'graphql.worker.js',
        'json.worker.js',
        'setup.js',
        'start.js',
      ]);
    expect(assets.every((a) => a.encoding === 'br')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
