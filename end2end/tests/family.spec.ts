import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { PASSWORD, invitationLink, open, ready, signUp, uniqueEmail } from "./helpers";

async function invite(page: Page, testInfo: TestInfo, familyUrl: string, email: string, role: "contributor" | "viewer") {
  await open(page, familyUrl, testInfo);
  await page.getByLabel("Their email").fill(email);
  await page.getByLabel("Their name (optional)").fill(role === "viewer" ? "Vic" : "Cora");
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("region", { name: "Waiting to join" }).getByText(email)).toBeVisible();
}

/** A brand-new person follows the link in a fresh browser and signs up from it. */
async function join(browser: Browser, testInfo: TestInfo, link: string, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, link, testInfo);
  await expect(page.getByRole("heading", { name: "You're invited" })).toBeVisible();
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await ready(page, testInfo);
  await expect(page.getByRole("heading", { level: 1, name: "Grandma's Stories" })).toBeVisible();
  return page;
}

test("invited family members join from the emailed link with the role they were given", async ({ page, browser }, testInfo) => {
  test.setTimeout(60_000); // three people sign up and two invitations travel by SMTP
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Grandma's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const familyUrl = `${page.url()}/family`;

  const cora = `cora-${uniqueEmail(testInfo)}`;
  const vic = `vic-${uniqueEmail(testInfo)}`;
  await invite(page, testInfo, familyUrl, cora, "contributor");
  await invite(page, testInfo, familyUrl, vic, "viewer");

  const contributor = await join(browser, testInfo, await invitationLink(cora), "Cora");
  await contributor.getByRole("link", { name: "Write a new story" }).click();
  await ready(contributor, testInfo);
  await contributor.getByLabel("Title", { exact: true }).fill("Cora's memory");
  await contributor.getByRole("button", { name: "Start writing" }).click();
  await expect(contributor).toHaveURL(/\/edit$/);

  const viewer = await join(browser, testInfo, await invitationLink(vic), "Vic");
  await expect(viewer.getByRole("link", { name: "Write a new story" })).toHaveCount(0);
  await open(viewer, `${viewer.url()}/stories/new`, testInfo);
  await viewer.getByLabel("Title", { exact: true }).fill("Not allowed");
  await viewer.getByRole("button", { name: "Start writing" }).click();
  await expect(viewer.getByText("You don't have permission to do that.")).toBeVisible();

  // The owner now sees both as members, and the links are spent.
  await open(page, familyUrl, testInfo);
  await expect(page.getByRole("region", { name: "Members" }).getByText("Cora", { exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Waiting to join" })).toHaveCount(0);
  await open(page, await invitationLink(cora), testInfo);
  await expect(page.getByRole("heading", { name: "This invitation has already been used" })).toBeVisible();
});

test("members comment on a story and give it a heart", async ({ page }, testInfo) => {
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Grandma's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await ready(page, testInfo);
  await page.getByRole("link", { name: "Write a new story" }).click();
  await ready(page, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("The dance");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await open(page, page.url().replace(/\/edit$/, ""), testInfo);
  await page.getByLabel("Add a comment").fill("I was there too!");
  await page.getByRole("button", { name: "Post comment" }).click();
  await expect(page.getByRole("paragraph").filter({ hasText: "I was there too!" })).toBeVisible();
  await page.getByRole("button", { name: "Love this story" }).click();
  await expect(page.getByRole("button", { name: "You love this story" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByText("1 heart", { exact: true })).toBeVisible();
});
