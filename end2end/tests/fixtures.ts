import { test as base, expect, type Locator, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Whether this run has JavaScript (the "hydrated" project) or not ("no-js"). */
export const jsEnabled = () => base.info().project.name === "hydrated";

/**
 * Opens a page and waits until it is usable: hydrated when JavaScript is on; when it is
 * off, checks that the wasm never ran (the page must stand on its own HTML).
 */
export async function open(page: Page, path: string) {
  const response = await page.goto(path);
  if (jsEnabled()) {
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  } else {
    await expect(page.locator("html")).not.toHaveAttribute("data-hydrated", /.*/);
  }
  return response;
}

/** The password of every demo user `revdesk seed` writes. */
export const DEMO_PASSWORD = "revdesk-demo-2026";

/** Signs in through the form. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await open(page, "/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) and fails with the list of violations.
 *
 * axe-core is a script in the page, so without JavaScript it cannot run: the no-js
 * project checks the same server-rendered page (same address, same cookies) in a
 * context where scripts run but the app's own are blocked.
 */
export async function expectAccessible(page: Page) {
  if (jsEnabled()) return analyze(page);
  const browser = page.context().browser()!;
  const context = await browser.newContext({ javaScriptEnabled: true });
  await context.addCookies(await page.context().cookies());
  await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  const copy = await context.newPage();
  await copy.goto(page.url());
  try {
    await analyze(copy);
  } finally {
    await context.close();
  }
}

async function analyze(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(summary, "axe-core violations").toEqual([]);
}

/** Collects Content-Security-Policy violations reported by the browser. */
export function watchCsp(page: Page) {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (msg.text().includes("Content Security Policy")) violations.push(msg.text());
  });
  return violations;
}

/**
 * The test function every journey uses: its `page` fails the journey when the browser
 * reports a Content-Security-Policy violation.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const violations = watchCsp(page);
    await use(page);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
});
export { expect };

/**
 * How many lines each piece of text in the matched elements takes (each text node and
 * child element counted apart), every distinct count once: `[1]` when nothing wraps.
 */
export async function lineCounts(cells: Locator) {
  const counts = await cells.evaluateAll((elements) =>
    elements.flatMap((element) =>
      [...element.childNodes]
        .filter((n) => (n.nodeType === Node.TEXT_NODE || n.nodeType === Node.ELEMENT_NODE) && n.textContent!.trim() !== "")
        .map((n) => {
          const range = document.createRange();
          range.selectNodeContents(n);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        }),
    ),
  );
  expect(counts.length).toBeGreaterThan(0);
  return [...new Set(counts)];
}
