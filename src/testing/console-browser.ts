/**
 * Headless Chromium for the web console's tests and benchmark: Debian's `chromium` (CHROMIUM=path
 * overrides) driven by playwright-core, which downloads no browser of its own. The browser trusts
 * no certificate authority of ours, so the context ignores certificate errors (the connection is to
 * loopback). Screenshots go to test-artifacts/console/ (gitignored), or CONSOLE_ARTIFACTS.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { REPO_ROOT } from '../agent/testing/private-containerd.js';
import { NETNS_LAUNCHER, startLoopbackRelay } from './browser-netns.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = process.env.CONSOLE_ARTIFACTS ?? join(REPO_ROOT, 'test-artifacts', 'console');

export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console errors and page errors seen so far (CSP violations show up here). */
  errors: string[];
  /** Dialogs the page opened (alert/confirm/prompt): an injected script would open one. */
  dialogs: string[];
  /** Saves a full-page screenshot as ARTIFACTS/<name>.png; returns the path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: bash scripts/setup.sh --test installs Debian's chromium`);
}

export async function openConsoleBrowser(viewport = { width: 1400, height: 900 }): Promise<ConsoleBrowser> {
  requireChromium();
  // Root cannot run Chromium's sandbox; the pages loaded are our own, from loopback.
  // In a network namespace of its own (browser-netns.ts): the host's churning interfaces would fail its requests.
  const relay = await startLoopbackRelay();
  const browser = await chromium.launch({ executablePath: NETNS_LAUNCHER, env: { ...process.env, ...relay.env(CHROMIUM) }, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] })
    .catch(async (e: unknown) => {
      await relay.close();
      throw e;
    });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return {
    browser, context, page, errors, dialogs,
    async screenshot(name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: false });
      return path;
    },
    async close() {
      await browser.close();
      await relay.close();
    },
  };
}

/**
 * page.goto, again when Chromium aborted the navigation with net::ERR_NETWORK_CHANGED: it does so
 * whenever the host's network interfaces change, which tests running beside this one do all the
 * time (bridges, veths, network namespaces), though the server never saw the request. It aborts a
 * page's subresources the same way: a document whose app.js was aborted never renders (CI: every
 * console test then waited 30 s for #token), so the page is reloaded until the app has rendered.
 * Any other failure is left to the caller's assertions, with the failed requests on stderr.
 * (openConsoleBrowser's Chromium now has a network namespace of its own, where nothing changes:
 * this stays for browsers opened otherwise.)
 * `transient` matches the error text retried (tests of this function pass one they can provoke).
 */
export async function gotoPage(page: Page, url: string, transient = /ERR_NETWORK_CHANGED/): ReturnType<Page['goto']> {
  const failed: string[] = [];
  const onFailed = (r: Request): void => void failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`);
  page.on('requestfailed', onFailed);
  try {
    let res: Awaited<ReturnType<Page['goto']>> = null;
    // After a navigation that failed, the frame holds Chromium's error page, which cannot be
    // reloaded (CI: "Page.reload: Not attached to an active page"), so it is navigated again. After
    // a document that loaded but never rendered, going to the same URL would only change the hash
    // of the loaded document, so that one is reloaded.
    let reload = false;
    for (let attempt = 1; ; attempt++) {
      try {
        res = reload ? await page.reload() : await page.goto(url);
      } catch (e) {
        // A reload can also fail for want of a page (the renderer was swapped for an error page):
        // leaving for about:blank makes the next goto a real navigation again.
        const retry = reload || transient.test(String((e as Error).message));
        if (attempt >= 5 || !retry) throw e;
        if (reload) await page.goto('about:blank').catch(() => undefined);
        reload = false;
        await new Promise((r) => setTimeout(r, 200 * attempt));
        continue;
      }
      const rendered = await page
        .waitForFunction(() => document.querySelector('#app > :not(noscript)') !== null, undefined, { timeout: 10_000 })
        .then(() => true, () => false);
      if (rendered) return res;
      if (failed.length > 0) process.stderr.write(`# console page not rendered; failed requests: ${failed.join('; ')}\n`);
      if (attempt >= 5 || !failed.some((f) => transient.test(f))) return res;
      failed.length = 0;
      reload = true;
    }
  } finally {
    page.off('requestfailed', onFailed);
  }
}

/** Opens `<serverUrl>/console/` and signs in with `token` through the form. */
export async function signIn(page: Page, serverUrl: string, token: string): Promise<void> {
  await gotoPage(page, `${serverUrl}/console/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('overview').waitFor();
}
