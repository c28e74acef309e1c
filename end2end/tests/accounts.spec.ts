import { execFileSync } from "node:child_process";
import { test, expect, open, expectAccessible, jsEnabled, lineCounts, signIn } from "./fixtures";
import type { Page } from "@playwright/test";

function unique(prefix: string) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" }).first();
}

/** The newest email to an address, read from the outbox (no SMTP in tests). */
function lastEmail(to: string): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (scripts/e2e.sh sets it)");
  return execFileSync("psql", [
    url,
    "-tAc",
    `select body_text from email_outbox where to_address = '${to.replace(/'/g, "''")}' order by created_at desc limit 1`,
  ]).toString();
}

test("sign up creates an organization and its owner", async ({ page }) => {
  const name = unique("Acme");
  await open(page, "/sign-up");
  await expectAccessible(page);
  await page.getByLabel("Your name").fill("Ann Lee");
  await page.getByLabel("Work email").fill(`${name}@example.com`);
  await page.getByLabel("Password").fill("password1");
  await page.getByLabel("Organization name").fill(name);
  await page.getByRole("button", { name: "Create organization" }).click();
  // A common password is refused with a message at the field.
  await expect(page.getByText("one of the most common")).toBeVisible();

  await page.getByLabel("Your name").fill("Ann Lee");
  await page.getByLabel("Work email").fill(`${name}@example.com`);
  await page.getByLabel("Password").fill("plum orchard 42");
  await page.getByLabel("Organization name").fill(name);
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${name.toLowerCase()}`));
  await expect(page.getByText("Your organization is ready")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Members" })).toBeVisible();
  await expectAccessible(page);
});

test("sign in: a wrong password is refused, the right one lands in the organization", async ({ page }) => {
  await signIn(page, "owner@northwind.example", "not-the-password");
  await expect(page.getByRole("alert")).toContainText("do not match an account");
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, "owner@northwind.example");
  await expect(page).toHaveURL(/\/o\/northwind$/);
  await expect(page.getByRole("heading", { level: 1, name: "Northwind Traders" })).toBeVisible();
  for (const link of ["Dashboard", "Billing", "Members", "Roles", "Audit log"]) {
    await expect(mainNav(page).getByRole("link", { name: link })).toBeVisible();
  }
  await expectAccessible(page);
});

test("an owner invites a sales rep, who accepts and joins", async ({ page, browser }) => {
  const email = `${unique("newrep")}@example.com`;
  await signIn(page, "owner@northwind.example");
  await open(page, "/o/northwind/members");
  await expectAccessible(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption("sales_rep");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText("Invitation sent")).toBeVisible();
  await expect(page.getByRole("table", { name: "Open invitations" })).toContainText(email);
  // The invitation is on record, and the audit log finds it by its action.
  await open(page, "/o/northwind/audit");
  await page.getByLabel("Action, e.g. member.removed").fill("invitation");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/o\/northwind\/audit\?action=invitation$/);
  await expect(page.getByRole("main")).toContainText("invitation.created");
  // Its filter's boxes do not overlap, and each row's boxes stand on one line.
  const boxes = await page
    .locator("form[method=get] input")
    .evaluateAll((inputs) => inputs.map((i) => i.getBoundingClientRect()).map((r) => [r.left, r.right, r.bottom].map(Math.round)));
  expect(boxes).toHaveLength(5);
  for (let i = 1; i < boxes.length; i++) {
    if (boxes[i][2] === boxes[i - 1][2]) expect(boxes[i][0], `box ${i} overlaps`).toBeGreaterThan(boxes[i - 1][1]);
  }
  expect(new Set(boxes.map((b) => b[2])).size, "two rows of boxes").toBe(2);
  await expectAccessible(page);

  const link = lastEmail(email).match(/\/invitations\/\S+/)![0];
  const context = await browser.newContext({ javaScriptEnabled: jsEnabled() });
  const invitee = await context.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { name: "Join Northwind Traders" })).toBeVisible();
  await expectAccessible(invitee);
  await invitee.getByLabel("Your name").fill("Nico Rep");
  await invitee.getByLabel("Choose a password").fill("plum orchard 42");
  await invitee.getByRole("button", { name: "Create account and join" }).click();
  await expect(invitee).toHaveURL(/\/o\/northwind/);
  await expect(invitee.getByText("You joined the organization")).toBeVisible();
  await expect(invitee.getByText("You are signed in as Sales rep")).toBeVisible();
  await context.close();
});

test("a sales rep does not see billing", async ({ page }) => {
  await signIn(page, "rep@northwind.example");
  await expect(page).toHaveURL(/\/o\/northwind$/);
  await expect(mainNav(page).getByRole("link", { name: "Dashboard" })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Billing" })).toHaveCount(0);
  await expect(mainNav(page).getByRole("link", { name: "Members" })).toHaveCount(0);
  const response = await page.goto("/o/northwind/billing");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await expectAccessible(page);
});

test("finance reads the plan, the credit balance and the invoices", async ({ page }) => {
  await signIn(page, "finance@northwind.example");
  await open(page, "/o/northwind/billing");
  // The balance is grouped as every other count (99,500, not 99500).
  await expect(page.getByText("credits available").locator("xpath=preceding-sibling::p")).toHaveText(/^\d{1,3}(,\d{3})+$/);
  await expect(page.getByRole("table", { name: "Invoices" }).locator("tbody tr").first()).toContainText(/INV-/);
  await expectAccessible(page);
});

test("a partner sees only the portal", async ({ page }) => {
  await signIn(page, "partner@northwind.example");
  await expect(page).toHaveURL(/\/o\/northwind\/portal$/);
  await expect(page.getByText("Your referral code")).toBeVisible();
  // Each figure on a line of its own, amounts included, on a laptop's screen.
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await lineCounts(page.locator("main .card p.tabular-nums"))).toEqual([1]);
  const links = mainNav(page).getByRole("link");
  await expect(links).toHaveCount(1);
  await expect(links.first()).toHaveText("Partner portal");
  for (const path of ["/o/northwind", "/o/northwind/members", "/o/northwind/billing"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
  }
  await expectAccessible(page);
});

test("sign out ends the session", async ({ page }) => {
  await signIn(page, "viewer@northwind.example");
  await expect(page).toHaveURL(/\/o\/northwind$/);
  await page.locator("summary[data-menu='account']").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount|\/sign-in\?next=\/account/);
});
