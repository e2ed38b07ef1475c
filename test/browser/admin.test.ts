// Issue 13, item 2: the admin pages and the header's proposal switcher, in Chromium against the
// real server. An admin creates a user and a proposal with a member and a beamtime (bad input shows
// the server's reason and keeps what was typed); the member logs in, sees no Admin link, finds the
// proposal in the switcher, and is refused the admin pages.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, openPage } from "../support/notebook-page.ts";
import { adminUserList } from "../../contracts/admin.ts";

const suite = browserSuite();
const PASSWORD = "bea's long password";

async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${suite.server().url}login?next=/`);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator('button[type="submit"]', { hasText: /^Log in$/ }).click();
  await page.getByRole("combobox", { name: "Proposal" }).waitFor();
}

test("an admin creates a user and a proposal with a member and a beamtime; the member switches to it and may not administer", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();

  const newUser = page.getByRole("form", { name: "New user" });
  await newUser.getByLabel("Username").fill("bea");
  await newUser.getByLabel("Display name").fill("Bea Ramírez");
  await newUser.getByLabel("Password").fill("short");
  await newUser.getByRole("button", { name: "Create user" }).click();
  await newUser
    .getByRole("alert")
    .filter({ hasText: /at least 12 characters/ })
    .waitFor();
  assert.equal(await newUser.getByLabel("Username").inputValue(), "bea", "what was typed is kept");
  await newUser.getByLabel("Password").fill(PASSWORD);
  await newUser.getByRole("button", { name: "Create user" }).click();
  const users = page.getByRole("table", { name: "Users" });
  await users.getByRole("row").filter({ hasText: "Bea Ramírez" }).waitFor();
  assert.equal(await newUser.getByLabel("Username").inputValue(), "", "the form is cleared once created");
  // An instrument scientist's beamlines: typed as a list, stored as one.
  await users.getByLabel("Role of bea").selectOption("instrument_scientist");
  await users.getByLabel("Beamlines of bea").fill("P11, P06");
  // Save waits for the role's change to be answered (the row's buttons are disabled meanwhile).
  await users.getByRole("row").filter({ hasText: "Bea Ramírez" }).getByRole("button", { name: "Save" }).click();
  // The row is drawn again from the server's answer.
  await page.waitForFunction(() => document.querySelector("[aria-label='Beamlines of bea']")?.getAttribute("value") === "P11, P06");
  const stored = adminUserList.parse(
    await (await fetch(new URL("api/lightbook/admin/users", server.url), { headers: { Authorization: `token ${server.token}` } })).json(),
  );
  assert.deepEqual(
    stored.filter((u) => u.username === "bea").map((u) => [u.role, u.beamlines]),
    [["instrument_scientist", ["P11", "P06"]]],
  );

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Proposals" }).click();
  const newProposal = page.getByRole("form", { name: "New proposal" });
  await newProposal.getByLabel("Number").fill("20261001");
  await newProposal.getByLabel("Title").fill("Lysozyme grid scans");
  await newProposal.getByLabel("Beamline").fill("P11");
  await newProposal.getByLabel("Data folder").fill("../../etc");
  await newProposal.getByRole("button", { name: "Create proposal" }).click();
  await newProposal
    .getByRole("alert")
    .filter({ hasText: /dataFolder: '\.\.' is not allowed/ })
    .waitFor();
  await newProposal.getByLabel("Data folder").fill("2026/20261001");
  await newProposal.getByRole("button", { name: "Create proposal" }).click();

  const card = page.getByTestId("proposal").filter({ hasText: "20261001" });
  await card.locator("summary").click();
  const addMember = card.getByRole("form", { name: "Add a member to 20261001" });
  await addMember.getByLabel("Username").fill("nobody-here");
  await addMember.getByRole("button", { name: "Add member" }).click();
  await card
    .getByRole("alert")
    .filter({ hasText: /nobody-here/ })
    .waitFor();
  await addMember.getByLabel("Username").fill("bea");
  await addMember.getByRole("button", { name: "Add member" }).click();
  await card.getByRole("table", { name: "Members of 20261001" }).getByRole("row").filter({ hasText: "bea" }).waitFor();

  const addBeamtime = card.getByRole("form", { name: "Add a beamtime to 20261001" });
  await addBeamtime.getByLabel("Beamtime start").fill("2026-12-10T08:00");
  await addBeamtime.getByLabel("Beamtime end").fill("2026-12-09T08:00");
  await addBeamtime.getByRole("button", { name: "Add beamtime" }).click();
  await card
    .getByRole("alert")
    .filter({ hasText: /end after it starts/ })
    .waitFor();
  await addBeamtime.getByLabel("Beamtime end").fill("2026-12-12T08:00");
  await addBeamtime.getByRole("button", { name: "Add beamtime" }).click();
  await card.getByRole("table", { name: "Beamtimes of 20261001" }).getByRole("row").nth(1).waitFor();
  await card.locator("summary").filter({ hasText: "1 member, 1 beamtime" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-proposals.png"), fullPage: true });
  assert.deepEqual(
    problems.filter((p) => !/status of 4\d\d/.test(p)),
    [],
    "only the refused requests log errors",
  );

  const member = await openPage(suite.browser());
  await logIn(member.page, "bea", PASSWORD);
  assert.equal(await member.page.getByRole("link", { name: "Admin", exact: true }).count(), 0, "no Admin link for a user");
  await member.page.getByRole("combobox", { name: "Proposal" }).selectOption({ label: "20261001 · Lysozyme grid scans (P11)" });
  await member.page.waitForURL(/\?dir=proposals%2F20261001$/);
  await member.page.screenshot({ path: path.join(ARTIFACTS, "admin-switcher.png") });
  await member.page.goto(`${server.url}admin/users`);
  await member.page
    .getByRole("alert")
    .filter({ hasText: /Could not list users: Only admins/ })
    .waitFor();
  assert.equal(await member.page.getByRole("table", { name: "Users" }).count(), 0);
});

test("the audit trail page lists who did what, newest first, and verifies its chain", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  const newUser = page.getByRole("form", { name: "New user" });
  await newUser.getByLabel("Username").fill("audited-user");
  await newUser.getByRole("button", { name: "Create user" }).click();
  await page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: "audited-user" }).waitFor();

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit trail" }).click();
  const rows = page.getByRole("table", { name: "Audit events" }).getByTestId("audit-row");
  await rows.first().waitFor();
  const creation = rows.filter({ hasText: "POST /api/lightbook/admin/users" }).first();
  assert.deepEqual(await creation.locator("td").evaluateAll((tds) => tds.slice(2, 7).map((td) => td.textContent)), [
    "admin",
    "POST /api/lightbook/admin/users",
    "/api/lightbook/admin/users",
    "ok",
    "status: 201",
  ]);
  await rows.filter({ hasText: "login/url" }).first().waitFor();
  await page.getByRole("button", { name: "Verify chain" }).click();
  await page
    .getByRole("status")
    .filter({ hasText: /^The chain holds: \d+ events, each linked to the one before\.$/ })
    .waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-audit.png"), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export JSON Lines" }).click()]);
  assert.equal(download.suggestedFilename(), "lightbook-audit.jsonl");
  assert.deepEqual(problems, []);
  await page.close();
});
