import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { test, expect, open, expectAccessible, signIn, jsEnabled, lineCounts } from "./fixtures";

function unique(prefix: string) {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

test("filter, search and page through the leads", async ({ page }) => {
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads");
  await expect(page.getByRole("status").filter({ hasText: "leads" })).toHaveText(/^\d+ leads$/);
  await expectAccessible(page);

  await page.getByLabel("Status", { exact: true }).selectOption("qualified");
  await page.getByRole("button", { name: "Apply" }).click();
  // The form sends every field; the address keeps only those that are set.
  await expect(page).toHaveURL(/\/o\/northwind\/leads\?status=qualified$/);
  const badges = page.locator("tbody tr td:nth-child(4)");
  await expect(badges.first()).toHaveText("Qualified");
  for (const text of await badges.allTextContents()) expect(text).toBe("Qualified");

  await page.getByLabel("Status", { exact: true }).selectOption("");
  // Full-text search: words, in any case, over name, email, company and job title.
  await page.getByLabel("Search name, email, company, title").fill("GRANITE");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/o\/northwind\/leads\?q=GRANITE$/);
  const found = await page.locator("tbody tr td:nth-child(2), tbody tr td:nth-child(3)").allTextContents();
  expect(found.length).toBeGreaterThan(0);
  for (let i = 0; i < found.length; i += 2) expect((found[i] + found[i + 1]).toLowerCase()).toContain("granite");

  await page.getByLabel("Search name, email, company, title").fill("");
  await page.getByLabel("Email or company contains").fill("granite");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/o\/northwind\/leads\?contains=granite$/);
  for (const text of await page.locator("tbody tr td:nth-child(3)").allTextContents()) {
    expect(text.toLowerCase()).toContain("granite");
  }

  await page.getByRole("link", { name: "Clear" }).click();
  const firstName = await page.locator("tbody tr td a").first().textContent();
  await page.getByRole("link", { name: "Next", exact: true }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.locator("tbody tr td a").first()).not.toHaveText(firstName!);
  await page.getByRole("link", { name: "Previous", exact: true }).click();
  await expect(page.locator("tbody tr td a").first()).toHaveText(firstName!);
});

test("from a lead to its partner's leads, then filter by campaign", async ({ page }) => {
  await signIn(page, "manager@northwind.example");
  // The less used filters fold away until opened, and stay open while one is set.
  await open(page, "/o/northwind/leads");
  await expect(page.getByLabel("Partner", { exact: true })).toBeHidden();
  await page.getByText("More filters", { exact: true }).click();
  await expect(page.getByLabel("Partner", { exact: true })).toBeVisible();
  await open(page, "/o/northwind/leads?source=referral");
  await expect(page.getByText("More filters (1 set)")).toBeVisible();
  await expect(page.getByLabel("Source", { exact: true })).toHaveValue("referral");
  await page.locator("tbody tr td a").first().click();
  // Its deal and funnel progress are on its page.
  await expect(page.locator("dt:text-is('Deal') + dd")).toContainText(/ % of each | per /);
  await expect(page.getByRole("heading", { name: "Funnel progress" })).toBeVisible();
  await expectAccessible(page);
  // The lead's partner links to the list of that partner's leads.
  const partnerLink = page.locator("dt:text-is('Partner') + dd a");
  const partner = (await partnerLink.textContent())!.trim();
  expect(partner.length).toBeGreaterThan(0);
  await partnerLink.click();
  await expect(page).toHaveURL(/\/leads\?partner=[0-9a-f-]{36}$/);
  const select = page.getByLabel("Partner", { exact: true });
  await expect(select.locator("option:checked")).toHaveText(partner);
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await expectAccessible(page);

  // The form changes the filter like any other: no partner, the first campaign.
  await select.selectOption("");
  const campaign = page.getByLabel("Campaign", { exact: true });
  const first = (await campaign.locator("option").nth(1).textContent())!.trim();
  await campaign.selectOption({ label: first });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/campaign=[0-9a-f-]{36}/);
  await expect(page).not.toHaveURL(/partner=[0-9a-f]/);
  await expect(page.getByLabel("Campaign", { exact: true }).locator("option:checked")).toHaveText(first);
});

test("sort the list and save the view", async ({ page }) => {
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads");
  // Sorting is a link: the header says which way.
  await page.getByRole("link", { name: "Score" }).click();
  await expect(page.getByRole("columnheader", { name: /Score/ })).toHaveAttribute("aria-sort", "descending");

  // Save the view, leave it, and come back through its link.
  const name = `Best first ${jsEnabled() ? "js" : "nojs"} ${Date.now()}`;
  await page.getByLabel("Save this view as").fill(name);
  await page.getByRole("button", { name: "Save view" }).click();
  await page.goto("/o/northwind/leads");
  await page.getByRole("navigation", { name: "Saved views" }).getByRole("link", { name }).click();
  await expect(page).toHaveURL(/sort=score&dir=desc/);
  await expectAccessible(page);
});

test("create a lead, with a field error first", async ({ page }) => {
  const last = unique("Tester");
  await signIn(page, "rep@northwind.example");
  await open(page, "/o/northwind/leads/new");
  await expectAccessible(page);
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("Estimated value").fill("about ten grand");
  await page.getByRole("button", { name: "Create lead" }).click();
  await expect(page.getByText("Enter an amount like 12500 or 12500.50.")).toBeVisible();

  await page.getByLabel("First name").fill("Rita");
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("Email").fill(`${last.toLowerCase()}@example.com`);
  await page.getByLabel("Company").fill("Test Works");
  await page.getByRole("button", { name: "Create lead" }).click();
  await expect(page.getByText("Lead created.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: `Rita ${last}` })).toBeVisible();
  await expect(page.getByText("Lead created", { exact: true })).toBeVisible();
  await expectAccessible(page);
});

test("an edit conflict shows its message and keeps the other edit", async ({ page, browser }) => {
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads?sort=name&dir=asc");
  // Each project edits its own lead, so the two runs never race each other.
  await page.locator("tbody tr td a").nth(jsEnabled() ? 3 : 4).click();
  await expect(page.getByRole("button", { name: "Save changes" })).toBeVisible();
  const url = page.url();

  // Someone else saves the same lead in the meantime.
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, "admin@northwind.example");
  await second.goto(url);
  const theirs = unique("Theirs");
  await second.getByLabel("Job title").fill(theirs);
  await second.getByRole("button", { name: "Save changes" }).click();
  await expect(second.getByText("Changes saved.")).toBeVisible();
  await other.close();

  await page.getByLabel("Job title").fill("Mine");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("alert")).toContainText("Someone else changed this lead");
  await page.goto(url);
  await expect(page.getByLabel("Job title")).toHaveValue(theirs);
});

test("export the current filter as CSV", async ({ page }) => {
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads?status=converted");
  const count = Number((await page.getByRole("status").filter({ hasText: "leads" }).textContent())!.split(" ")[0]);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^leads-northwind-.*\.csv$/);
  const lines = readFileSync((await download.path())!, "utf8").trim().split("\r\n");
  expect(lines[0]).toContain("first_name,last_name,email");
  expect(lines.length - 1).toBe(count);
  for (const line of lines.slice(1)) expect(line).toContain(",converted,");
});

test("move a card on the board", async ({ page }) => {
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads/board");
  await expectAccessible(page);
  // Each project moves a card out of its own column, so the two runs never collide.
  const [from, to, label] = jsEnabled() ? ["new", "contacted", "Contacted"] : ["qualified", "proposal", "Proposal"];
  const card = page.locator(`[data-column="${from}"] [data-card]`).first();
  const href = await card.getByRole("link").getAttribute("href");
  const moved = page.waitForResponse((r) => r.url().includes("/api/move_lead"));
  if (jsEnabled()) {
    // Drop on the column's header: aiming at a tall column's middle would scroll the
    // page between mouse-down and the drag, and pick up another card.
    await card.dragTo(page.locator(`[data-column="${to}"] header`));
  } else {
    await card.getByRole("combobox").selectOption(to);
    await card.getByRole("button", { name: "Move" }).click();
  }
  await moved;
  await page.waitForLoadState();
  await expect(page).toHaveURL(/\/leads\/board/);
  await page.goto(href!);
  await expect(page.locator("header").getByText(label, { exact: true })).toBeVisible();
});

test("pages fit a phone's screen, the board scrolls on its own, the list fits a laptop's", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads?sort=name&dir=asc");
  const lead = await page.locator("tbody tr td a").first().getAttribute("href");
  const pageWidth = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  for (const path of ["/o/northwind", "/o/northwind/leads", "/o/northwind/leads/board", "/o/northwind/leads/new", "/o/northwind/leads/import", lead!]) {
    await open(page, path);
    expect(await pageWidth(), `${path} is wider than the screen`).toBe(0);
  }
  // The columns are still all there, side by side, in the board's own scroll box.
  const board = page.locator(".board");
  await open(page, "/o/northwind/leads/board");
  expect(await board.evaluate((b) => b.scrollWidth > b.clientWidth)).toBe(true);
  await expect(page.locator("[data-column]")).toHaveCount(7);

  // On the phone the pipeline's figures keep a line each (a value and its count).
  await open(page, "/o/northwind");
  expect(await pipelineLines(page)).toEqual([1]);

  // On a laptop's screen the list's columns all fit, the last one (Created) included,
  // and the filter's boxes and its button stand on one line.
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, "/o/northwind/leads");
  const table = page.locator(".table-wrap");
  expect(await table.evaluate((t) => t.scrollWidth - t.clientWidth)).toBe(0);
  const bottoms = await page
    .locator("#field-q, #field-contains, #field-status, #field-assignee, form[role=search] button[type=submit]")
    .evaluateAll((controls) => controls.map((c) => Math.round(c.getBoundingClientRect().bottom)));
  expect(bottoms).toHaveLength(5);
  expect(new Set(bottoms).size, `bottoms ${bottoms}`).toBe(1);
  await open(page, "/o/northwind");
  expect(await pipelineLines(page)).toEqual([1]);
});

/** How many lines the figures of the pipeline chart's rows take, each distinct count once. */
function pipelineLines(page: Page) {
  return lineCounts(page.getByRole("table", { name: "Open pipeline: estimated value by status" }).locator("td:last-child"));
}

test("the dashboard's tiles and charts lead to the filtered list", async ({ page }) => {
  await signIn(page, "manager@northwind.example");
  await expect(page).toHaveURL(/\/o\/northwind$/);
  await expect(page.getByRole("table", { name: "Open pipeline: estimated value by status" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: /Follow-ups due today/ }).click();
  await expect(page).toHaveURL(/\/o\/northwind\/leads\?follow_up_to=\d{4}-\d{2}-\d{2}$/);
  await page.goBack();
  await page.getByRole("table", { name: /Open pipeline/ }).getByRole("link", { name: "Qualified" }).click();
  await expect(page).toHaveURL(/status=qualified/);
  for (const text of await page.locator("tbody tr td:nth-child(4)").allTextContents()) expect(text).toBe("Qualified");
});

test("import a CSV with two bad rows and download the error report", async ({ page }) => {
  const tag = unique("imp");
  const csv = [
    "First name,Last name,Email,Company,Estimated value",
    `Ada,${tag},${tag}-ada@example.com,Engines,12500`,
    `Bad,${tag},not-an-email,Nowhere,100`,
    `Grace,${tag},${tag}-grace@example.com,Cobol Works,`,
    `Worse,${tag},${tag}-worse@example.com,Numbers,lots`,
  ].join("\n");
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads");
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page).toHaveURL(/\/leads\/import$/);
  await expectAccessible(page);
  await page.getByLabel("CSV file").setInputFiles({ name: `${tag}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Upload" }).click();

  // The mapping step recognises the headers.
  await expect(page).toHaveURL(/\/leads\/import\/[0-9a-f-]{36}$/);
  await expect(page.getByLabel("Import column Email as")).toHaveValue("email");
  await expect(page.getByLabel("Import column Estimated value as")).toHaveValue("estimated_value");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Dry run" }).click();
  const dryRun = page.getByRole("heading", { name: "Dry run finished: nothing was written" });
  await expect(dryRun).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("Would create").locator("..")).toContainText("2");

  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import finished" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("Created", { exact: true }).locator("..")).toContainText("2");
  await expect(page.getByText("Errors", { exact: true }).locator("..")).toContainText("2");
  await expectAccessible(page);

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the error report" }).click();
  const download = await downloading;
  const lines = readFileSync((await download.path())!, "utf8").trim().split("\r\n");
  expect(lines[0]).toBe("line,error,First name,Last name,Email,Company,Estimated value");
  expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["3", "5"]);
  expect(lines[1]).toContain("Email:");
  expect(lines[2]).toContain("Estimated value:");

  // The imported leads are in the list.
  await open(page, `/o/northwind/leads?q=${tag}`);
  await expect(page.getByRole("status").filter({ hasText: "leads" })).toHaveText("2 leads");
});

// (getByText is avoided on the list: the filter's `contains` input shadows the form's
// DOM method of that name, which Playwright's text engine calls.)
test("tag the ticked leads, then the whole filter, in bulk", async ({ page }) => {
  const tag = unique("bulk").toLowerCase();
  await signIn(page, "manager@northwind.example");
  // Each project works on its own slice of the list, so the two runs never collide.
  await open(page, `/o/northwind/leads?status=${jsEnabled() ? "contacted" : "nurturing"}&sort=name&dir=asc`);
  const rows = page.locator("tbody tr");
  const names = [await rows.nth(0).locator("td a").textContent(), await rows.nth(1).locator("td a").textContent()];
  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  await page.getByLabel("Add tag").fill(tag);
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Changed 2 leads." })).toBeVisible();
  await expectAccessible(page);

  await open(page, `/o/northwind/leads?tag=${tag}&sort=name&dir=asc`);
  await expect(page.locator("tbody tr td a")).toHaveText(names.map((n) => n!));

  // Nothing ticked: a clear message, nothing changed.
  await page.getByLabel("Change status to").selectOption("qualified");
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.locator("#bulk-target-error")).toHaveText("Select at least one lead first.");

  // The whole filter: both tagged leads move to Qualified.
  await page.getByLabel(/^All 2 leads matching the filter/).check();
  await page.getByLabel("Change status to").selectOption("qualified");
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Changed 2 leads." })).toBeVisible();
  for (const text of await page.locator("tbody tr td:nth-child(4)").allTextContents()) expect(text).toBe("Qualified");
});

test("work a lead from its page: log a call with a follow-up, then mark it lost", async ({ page }) => {
  const last = unique("Worked");
  await signIn(page, "manager@northwind.example");
  await open(page, "/o/northwind/leads/new");
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("Company").fill("Worked Ltd");
  await page.getByRole("button", { name: "Create lead" }).click();
  await expect(page.getByRole("heading", { level: 1, name: last })).toBeVisible();
  const url = page.url();

  await page.getByLabel("Kind").selectOption({ label: "Call" });
  await page.getByLabel("Subject").fill("Discovery call");
  await page.getByLabel("Notes").fill("Wants a quote by Friday");
  await page.getByLabel("Due (schedules a follow-up)").fill("2030-01-15");
  await page.getByRole("button", { name: "Log", exact: true }).click();
  await expect(page.getByText("Logged.")).toBeVisible();
  await expect(page.getByText("Call: Discovery call")).toBeVisible();
  await expect(page.getByText("Wants a quote by Friday")).toBeVisible();
  await expect(page.getByLabel("Next follow-up")).toHaveValue("2030-01-15");

  // Lost needs a reason: without one the status stays and the field says why.
  await page.getByLabel("Move to").selectOption({ label: "Lost" });
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.getByText("Say why the lead was lost; it helps the next one.")).toBeVisible();
  await expect(page.locator(".page-header .badge")).toHaveText("New");
  await page.getByLabel("Move to").selectOption({ label: "Lost" });
  await page.getByLabel("Reason (required for lost)").fill("Chose a competitor");
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.getByText("Status changed.")).toBeVisible();
  await expect(page.locator(".page-header .badge")).toHaveText("Lost");
  await expect(page.getByText("Lost because: Chose a competitor")).toBeVisible();
  await expect(page.getByText("Status: New → Lost")).toBeVisible();
  await expectAccessible(page);

  // A viewer reads the same lead as facts, with nothing to press.
  await page.context().clearCookies();
  await signIn(page, "viewer@northwind.example");
  await open(page, new URL(url).pathname);
  await expect(page.locator("dt:text-is('Next follow-up') + dd")).toHaveText("2030-01-15");
  for (const name of ["Save changes", "Change status", "Log"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await expect(page.getByRole("heading", { name: "Log an activity" })).toHaveCount(0);
  await expectAccessible(page);
});
