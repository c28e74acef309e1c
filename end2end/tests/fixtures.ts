import { test as base, expect, type Page } from "@playwright/test";
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

/** Runs axe-core (WCAG 2.1 A and AA rules) and fails with the list of violations. */
export async function expectAccessible(page: Page) {
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
