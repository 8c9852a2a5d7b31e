import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { enhanced, expectOrderPage, grantStaff, invitationLink, open, signUp, uniqueEmail } from "./helpers";

async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(summary, `accessibility violations on ${what}`).toEqual([]);
}

test("public pages pass axe's WCAG 2.2 AA checks", async ({ page }, testInfo) => {
  test.setTimeout(90_000); // eleven axe runs
  const recovery = ["/login/forgot", "/login/link", "/login/sent", "/login/reset/not-a-real-link", "/login/link/not-a-real-link", "/goodbye"];
  for (const path of ["/", "/login", "/signup", "/signup/sent", "/signup/confirm/not-a-real-link", ...recovery, "/no/such/page"]) {
    await open(page, path, testInfo);
    await expectNoViolations(page, path);
  }
});

test("pages link the bundle's stylesheet by its content-named file, and it is served", async ({ page }, testInfo) => {
  for (const path of ["/", "/login"]) {
    await open(page, path, testInfo);
    const href = await page.locator("link#leptos").getAttribute("href");
    expect(href, path).toMatch(/^\/pkg\/mystoryflow\.[A-Za-z0-9_-]{22}\.css$/);
    const css = await page.request.get(href!);
    expect(css.status()).toBe(200);
    expect(css.headers()["content-type"]).toContain("text/css");
  }
});

test("a form showing errors passes axe's WCAG 2.2 AA checks", async ({ page }, testInfo) => {
  await open(page, "/signup", testInfo);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Please enter your name.")).toBeVisible();
  await expectNoViolations(page, "/signup with errors");
});

test("member pages pass axe's WCAG 2.2 AA checks", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signUp(page, testInfo, "Ivy", uniqueEmail(testInfo));
  for (const path of ["/dashboard", "/campaigns", "/books", "/account", "/account/delete", "/orders"]) {
    await open(page, path, testInfo);
    await expectNoViolations(page, path);
  }
});

test("story pages pass axe's WCAG 2.2 AA checks", async ({ page }, testInfo) => {
  test.setTimeout(90_000); // six axe runs: each takes seconds on a busy 2-core machine
  await signUp(page, testInfo, "Ivy", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Mum's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();
  await open(page, `${campaign}/stories/new`, testInfo);
  await expectNoViolations(page, "new story");
  await page.getByLabel("Title", { exact: true }).fill("The dance hall");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  const editor = page.url();
  await open(page, editor, testInfo);
  await page.getByLabel("Story", { exact: true }).fill("We danced **every** Saturday.");
  await expect(page.getByRole("status").filter({ hasText: /^Saved/ })).toBeVisible();
  await expectNoViolations(page, "story editor");
  for (const path of [editor.replace(/\/edit$/, ""), `${campaign}/stories`, `${campaign}/photos`, "/search?q=danced"]) {
    await open(page, path, testInfo);
    await expectNoViolations(page, path);
  }
});

test("family and invitation pages pass axe's WCAG 2.2 AA checks", async ({ page, browser }, testInfo) => {
  await signUp(page, testInfo, "Ivy", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Mum's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await open(page, `${page.url()}/family`, testInfo);
  const invitee = `a11y-${uniqueEmail(testInfo)}`;
  await page.getByLabel("Their email").fill(invitee);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(invitee, { exact: true })).toBeVisible();
  await expectNoViolations(page, "family page");
  const stranger = await (await browser.newContext()).newPage();
  await open(stranger, await invitationLink(invitee), testInfo);
  await expect(stranger.getByRole("heading", { name: "You're invited" })).toBeVisible();
  await expectNoViolations(stranger, "invitation page");
});

test("book designer, preview and listening pages pass axe's WCAG 2.2 AA checks", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signUp(page, testInfo, "Ivy", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Mum's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();
  await open(page, `${campaign}/stories/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("The dance hall");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await open(page, `${campaign}/books`, testInfo);
  await expectNoViolations(page, "books");
  await page.getByLabel("Book title").fill("Mum's Book");
  await page.getByRole("button", { name: "Create book" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Mum's Book" })).toBeVisible();
  await open(page, page.url(), testInfo);
  await page.getByRole("button", { name: "Add “The dance hall” to the book" }).click();
  await open(page, page.url().replace(/#.*$/, ""), testInfo);
  await expectNoViolations(page, "book designer");
  await page.getByRole("button", { name: "Make the print PDF" }).click();
  await expect(page.getByRole("link", { name: "Preview every page" })).toBeVisible({ timeout: 60_000 });
  await expectNoViolations(page, "book designer with a PDF");
  await page.getByRole("link", { name: "Preview every page" }).click();
  await expect(page.getByText(/^Page 1 of \d+$/)).toBeVisible();
  await expectNoViolations(page, "book preview");
  await page.goto("/listen/not-a-real-link");
  await enhanced(page, testInfo);
  await expectNoViolations(page, "listening page for a revoked link");
});

test("order pages and the staff console pass axe's WCAG 2.2 AA checks", async ({ page }, testInfo) => {
  test.setTimeout(150_000); // a book typeset and eight axe runs
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Ivy", email);
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Mum's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();
  await open(page, `${campaign}/stories/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("The dance hall");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await open(page, `${campaign}/books`, testInfo);
  await page.getByLabel("Book title").fill("Mum's Book");
  await page.getByRole("button", { name: "Create book" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Mum's Book" })).toBeVisible();
  await open(page, page.url(), testInfo);
  await page.getByRole("button", { name: "Add “The dance hall” to the book" }).click();
  await open(page, page.url().replace(/#.*$/, ""), testInfo);
  await page.getByRole("button", { name: "Make the print PDF" }).click();
  await expect(page.getByLabel("I have proofread every page")).toBeVisible({ timeout: 60_000 });
  await page.getByLabel("I have proofread every page").check();
  await page.getByRole("button", { name: "Mark ready to order" }).click();
  await page.getByRole("link", { name: "Order printed copies" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Order printed copies" })).toBeVisible();
  await open(page, page.url(), testInfo);
  await expectNoViolations(page, "order form");
  await page.getByRole("button", { name: "See the price" }).click();
  await expect(page.getByText("Please enter the recipient's name.")).toBeVisible();
  await expectNoViolations(page, "order form with errors");
  await page.getByLabel("Recipient's name", { exact: true }).fill("Ann Miller");
  await page.getByLabel("Street address", { exact: true }).fill("1 Mill Lane");
  await page.getByLabel("Town or city", { exact: true }).fill("Springfield");
  await page.getByLabel("State, province or region", { exact: true }).fill("IL");
  await page.getByLabel("Postal code", { exact: true }).fill("62701");
  await page.getByLabel("Country", { exact: true }).selectOption({ label: "United States of America" });
  await page.getByLabel("Phone", { exact: true }).fill("+1 555 123 4567");
  await page.getByRole("button", { name: "See the price" }).click();
  await expect(page.getByRole("region", { name: "Price" })).toBeVisible();
  await open(page, page.url(), testInfo);
  await expectNoViolations(page, "order form with the price");
  await page.getByRole("button", { name: /^Confirm order/ }).click();
  await expectOrderPage(page);
  const order = page.url();
  await open(page, order, testInfo);
  await expectNoViolations(page, "an order");
  await open(page, "/orders", testInfo);
  await expectNoViolations(page, "/orders with an order");
  await open(page, "/admin/orders", testInfo);
  await expect(page.getByRole("heading", { name: "We couldn't find that page." })).toBeVisible();
  await expectNoViolations(page, "/admin/orders for someone not staff");
  grantStaff(email);
  await open(page, "/admin/orders", testInfo);
  await expectNoViolations(page, "/admin/orders");
  await open(page, order.replace("/orders/", "/admin/orders/"), testInfo);
  await expect(page.getByRole("region", { name: "Fulfilment" })).toBeVisible();
  await expectNoViolations(page, "an order in the staff console");
});
