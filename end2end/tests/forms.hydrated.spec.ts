// With JavaScript, a form's action updates the page in place: no page load, the error
// beside the form, the page's data fetched again. (Without JavaScript the same forms post
// and come back; every other spec runs them that way too.)
import { expect, test, type Page } from "@playwright/test";
import { newStory, open, ready, uniqueEmail } from "./helpers";

/** Marks the current document; a full page load would forget the mark. */
async function mark(page: Page) {
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
}

async function stillSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
}

test("comments, hearts and invitations change the page without reloading it", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "The dance");
  const story = page.url().replace(/\/edit$/, "");
  await open(page, story, testInfo);
  await mark(page);
  await page.getByLabel("Add a comment").fill("I was there too!");
  await page.getByRole("button", { name: "Post comment" }).click();
  await expect(page.getByRole("paragraph").filter({ hasText: "I was there too!" })).toBeVisible();
  await page.getByRole("button", { name: "Love this story" }).click();
  await expect(page.getByText("1 heart", { exact: true })).toBeVisible();
  await stillSameDocument(page);

  // An invitation appears in place; an error is shown beside the form, what was typed stays.
  await open(page, story.replace(/\/stories\/[0-9a-f-]{36}$/, "/family"), testInfo);
  await expect(page.getByRole("heading", { level: 1, name: "Family members" })).toBeVisible();
  await mark(page);
  const email = uniqueEmail(testInfo);
  await page.getByLabel("Their email").fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("heading", { name: "Waiting to join" })).toBeVisible();
  await expect(page.getByText(email).first()).toBeVisible();
  await page.getByLabel("Their email").fill("grandpa@localhost");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText("Please enter an email address like name@example.com.").first()).toBeVisible();
  await expect(page.getByLabel("Their email")).toHaveValue("grandpa@localhost");
  await stillSameDocument(page);
});

test("the pages run under their content security policy without a single violation", async ({ page }, testInfo) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  const policies: string[] = [];
  page.on("response", (response) => {
    const policy = response.headers()["content-security-policy"];
    if (response.request().resourceType() === "document" && policy) policies.push(policy);
  });
  // Hydrating needs the inline scripts Leptos writes, allowed only by this response's nonce.
  await newStory(page, testInfo, "The orchard");
  await page.getByLabel("Story", { exact: true }).fill("Apples every autumn.");
  await expect(page.getByRole("status").filter({ hasText: /^Saved \d\d:\d\d$/ })).toBeVisible({ timeout: 15_000 });
  expect(policies.length).toBeGreaterThan(0);
  for (const policy of policies) expect(policy).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(violations).toEqual([]);
});
