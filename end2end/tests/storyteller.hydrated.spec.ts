import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { enhanced, open, ready, signUp, uniqueEmail } from "./helpers";

/// An owner's campaign with one question sent; returns the storyteller's link.
async function questionSent(page: Page, testInfo: TestInfo, question: string): Promise<string> {
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Life Stories");
  await page.getByLabel("Storyteller's name").fill("Robert");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await open(page, `${page.url()}/questions`, testInfo);
  await page.getByLabel("Your question").fill(question);
  await page.getByRole("button", { name: "Add to the queue" }).click();
  await expect(page.getByRole("region", { name: "Up next" }).getByText(question)).toBeVisible();
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Send the next question now" }).click();
  await expect(page.getByRole("region", { name: "Asked and skipped" }).getByText(question)).toBeVisible();
  return page.getByLabel("Storyteller's link").inputValue();
}

// Recorded with Chromium's fake microphone, sent while the network is down: the recording
// waits in IndexedDB, survives a reload, and arrives once when the network is back.
test("a recording sent without a connection is kept and arrives once", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const question = "What songs did you sing at school?";
  const link = await questionSent(page, testInfo, question);
  const campaign = page.url().replace(/\/questions.*$/, "");
  const context = await browser.newContext();
  const phone = await context.newPage();
  await phone.goto(link);
  await enhanced(phone, testInfo);
  await phone.getByRole("button", { name: "Record my answer" }).click();
  await expect(phone.getByText("Recording…")).toBeVisible();
  await phone.waitForTimeout(2500);
  await phone.getByRole("button", { name: "Stop" }).click();
  await expect(phone.getByLabel("Listen to your answer")).toBeVisible();

  await context.setOffline(true);
  await phone.getByRole("button", { name: "Send my answer" }).click();
  await expect(phone.getByRole("alert").filter({ hasText: "we'll keep trying" })).toBeVisible();
  await context.setOffline(false);
  await phone.reload();
  await expect(phone.getByText("Thank you! Your answer is with your family.")).toBeVisible({ timeout: 20_000 });
  await expect(phone.getByText("You answered by talking.")).toBeVisible();

  await open(page, `${campaign}/stories`, testInfo);
  await expect(page.getByRole("link", { name: question })).toHaveCount(1);
  await phone.reload();
  await enhanced(phone, testInfo);
  await open(page, `${campaign}/stories`, testInfo);
  await expect(page.getByRole("link", { name: question })).toHaveCount(1);
  await context.close();
});

// Written on a poor connection: what the storyteller wrote survives a reload, is not sent
// into the browser's error page while offline, and is forgotten on the phone once it arrived.
test("a written answer is kept on the phone until it has arrived", async ({ page, browser }, testInfo) => {
  const question = "Who taught you to ride a bicycle?";
  const link = await questionSent(page, testInfo, question);
  const context = await browser.newContext();
  const phone = await context.newPage();
  await phone.goto(link);
  await enhanced(phone, testInfo);
  const answer = "My brother Tom, on the lane behind the church, holding the saddle until he didn't.";
  await phone.getByLabel("Write my answer").fill(answer);

  await phone.reload();
  await enhanced(phone, testInfo);
  await expect(phone.getByLabel("Write my answer")).toHaveValue(answer);
  await expect(phone.getByRole("status").filter({ hasText: "What you wrote before is still here." })).toBeVisible();

  await context.setOffline(true);
  await phone.getByRole("button", { name: "Send my written answer" }).click();
  await expect(phone.getByRole("alert").filter({ hasText: "There is no connection right now." })).toBeVisible();
  await expect(phone.getByLabel("Write my answer")).toHaveValue(answer);

  await context.setOffline(false);
  await phone.getByRole("button", { name: "Send my written answer" }).click();
  await expect(phone.getByText("Thank you! Your answer is with your family.")).toBeVisible();
  await expect(phone.getByText(answer)).toBeVisible();
  await enhanced(phone, testInfo);
  const kept = await phone.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("mystoryflow:draft-")));
  expect(kept).toEqual([]);
  await context.close();
});
