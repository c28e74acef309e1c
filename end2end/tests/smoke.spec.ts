import { test, expect, open, expectAccessible } from "./fixtures";

test("the overview renders on the server and hydrates", async ({ page }) => {
  const response = await open(page, "/");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle("Overview · Revdesk");
  await expect(page.getByRole("heading", { level: 1, name: "Revdesk" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Create an organization" })).toBeVisible();
});

test("the status page has its data without JavaScript", async ({ page }) => {
  await open(page, "/status");
  await expect(page.getByRole("heading", { level: 1, name: "System status" })).toBeVisible();
  await expect(page.getByText("Reachable")).toBeVisible();
  await expect(page.getByText("Migrations applied")).toBeVisible();
  await expect(page).toHaveTitle("System status · Revdesk");
});

test("an unknown address answers 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the overview" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("the theme switcher works and is remembered", async ({ page }) => {
  await open(page, "/design");
  await page.getByRole("button", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Dark" })).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/\/design\??$/);
  // The choice was stored server-side (cookie), so a fresh load renders dark at once.
  await open(page, "/");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByRole("button", { name: "Light" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
});

test("the first Tab reaches the skip link, which moves focus to the content", async ({ page }) => {
  await open(page, "/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

for (const theme of ["light", "dark"]) {
  for (const path of ["/", "/status", "/design", "/missing", "/sign-in", "/sign-up", "/forgot-password"]) {
    test(`${path} has no accessibility violations in the ${theme} theme`, async ({ page, baseURL }) => {
      await page.context().addCookies([{ name: "revdesk_theme", value: theme, url: baseURL! }]);
      await open(page, path);
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      await expectAccessible(page);
    });
  }
}
