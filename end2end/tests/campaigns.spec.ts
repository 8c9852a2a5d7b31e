import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { logOut, open, ready, signUp, uniqueEmail } from "./helpers";

async function createCampaign(page: Page, testInfo: TestInfo, title: string) {
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill(title);
  await page.getByLabel("Storyteller's name").fill("Dad");
  await page.getByLabel("The storyteller is your").selectOption("parent");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

async function edit(page: Page, testInfo: TestInfo) {
  await ready(page, testInfo);
  await page.getByRole("link", { name: "Edit campaign" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await ready(page, testInfo);
}

test("an owner creates, edits, pauses, archives and deletes a campaign", async ({ page }, testInfo) => {
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await expect(page.getByRole("heading", { name: "Start your first campaign" })).toBeVisible();

  await createCampaign(page, testInfo, "Dad's Life Stories");
  const url = page.url();

  await open(page, "/dashboard", testInfo);
  await expect(page.getByRole("link", { name: "Dad's Life Stories" })).toBeVisible();
  await expect(page.getByText("0 of 10")).toBeVisible();
  const progress = page.getByRole("progressbar", { name: "Dad's Life Stories: 0% of the story goal" });
  await expect(progress).toHaveAttribute("value", "0");

  await open(page, url, testInfo);
  await edit(page, testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Stories");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(url);
  await expect(page.getByRole("heading", { level: 1, name: "Dad's Stories" })).toBeVisible();

  await edit(page, testInfo);
  await page.getByRole("button", { name: "Pause campaign" }).click();
  await expect(page).toHaveURL(url);
  await expect(page.getByText("Paused", { exact: true })).toBeVisible();

  await edit(page, testInfo);
  await page.getByRole("button", { name: "Archive campaign" }).click();
  await expect(page).toHaveURL(url);
  await expect(page.getByText("This campaign is archived and read-only.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit campaign" })).toHaveCount(0);

  await open(page, `${url}/edit`, testInfo);
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await page.getByLabel("Type the campaign's title to confirm").fill("Dad's Stories");
  await page.getByRole("button", { name: "Delete this campaign forever" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Start your first campaign" })).toBeVisible();
});

test("a mistyped title does not delete the campaign", async ({ page }, testInfo) => {
  await signUp(page, testInfo, "Pat", uniqueEmail(testInfo));
  await createCampaign(page, testInfo, "Grandma June");
  await edit(page, testInfo);
  await page.getByLabel("Type the campaign's title to confirm").fill("grandma");
  await page.getByRole("button", { name: "Delete this campaign forever" }).click();
  await expect(page.getByText("Please type the campaign's title exactly as shown to confirm.")).toBeVisible();
  await open(page, "/dashboard", testInfo);
  await expect(page.getByRole("link", { name: "Grandma June" })).toBeVisible();
});

test("a campaign's form explains what is wrong", async ({ page }, testInfo) => {
  await signUp(page, testInfo, "Quinn", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Mum");
  await page.getByLabel("Goal: how many stories?").fill("0");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByText("Please enter a whole number from 1 to 1000.")).toBeVisible();
  await expect(page.getByLabel("Campaign title")).toHaveValue("Mum");
});

test("another family cannot open the campaign or see it", async ({ page }, testInfo) => {
  await signUp(page, testInfo, "Rose", uniqueEmail(testInfo));
  await createCampaign(page, testInfo, "Rose's Private Campaign");
  const url = page.url();
  await logOut(page, testInfo);

  await signUp(page, testInfo, "Sam", uniqueEmail(testInfo));
  await expect(page.getByText("Rose's Private Campaign")).toHaveCount(0);
  const response = await page.goto(url);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: /We couldn't find that page/ })).toBeVisible();
  await expect(page.getByText("Rose's Private Campaign")).toHaveCount(0);
});
