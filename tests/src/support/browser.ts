import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: `npx playwright install` cannot download a browser here. */
const CHROMIUM = process.env.KEYWARD_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

/** The widths every portal screen is looked at: a desktop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Where the screenshots go: the test's output, apart from the sources. */
export const SCREENSHOTS_DIR = resolve('test-output', 'portal-screens');

const axeSource = (): string => {
  const require = createRequire(import.meta.url);
  return (require('axe-core') as { source: string }).source;
};

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A page of its own (cookies apart). The portal's CSP forbids inline scripts, so axe needs `bypassCSP`. */
export async function newPage(browser: Browser, viewport: keyof typeof VIEWPORTS = 'desktop'): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], bypassCSP: true });
  return context.newPage();
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly string[] }>;
}

/**
 * Looks at the screen as it is: axe-core finds no serious or critical violation, and a screenshot
 * is saved at desktop and phone widths (the page is resized, then put back).
 */
export async function inspectScreen(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ content: axeSource() });
  const violations = (await page.evaluate('axe.run().then((result) => result.violations)')) as AxeViolation[];
  const serious = violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  assert.deepEqual(
    serious.map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    ),
    [],
    `accessibility of the screen "${name}"`,
  );
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [width, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-${width}.png`), fullPage: true });
  }
  if (original !== null) await page.setViewportSize(original);
}
