import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page, test, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { enhanced, open, ready, signUp, uniqueEmail } from "./helpers";

// The storyteller answers from their link with no account at all: in writing, and with a
// recording from the phone (a plain file input). The owner sees the answers as stories; a
// replaced link shows a friendly page. Runs with JavaScript on and off.
test("the storyteller answers from their link without an account", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const hydrated = testInfo.project.name === "hydrated";
  page.on("dialog", (dialog) => dialog.accept());
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Life Stories");
  await page.getByLabel("Storyteller's name").fill("Robert");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();
  await open(page, `${campaign}/questions?topic=childhood`, testInfo);
  const street = "What did your street sound like on a summer evening when you were ten?";
  await page.getByRole("button", { name: `Add: ${street}` }).click();
  await expect(page.getByRole("region", { name: "Up next" }).getByText(street)).toBeVisible();
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Send the next question now" }).click();
  const asked = page.getByRole("region", { name: "Asked and skipped" });
  await expect(asked.getByText(street)).toBeVisible();
  const link = await page.getByLabel("Storyteller's link").inputValue();
  expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);

  // The storyteller: a separate browser with no session at all.
  const context = await browser.newContext({ javaScriptEnabled: hydrated });
  const phone = await context.newPage();
  // No browser bundle on this page: the phone downloads the page, its style and enhance.js.
  const bundle: string[] = [];
  phone.on("request", (request) => {
    if (/\.(wasm|js)$/.test(new URL(request.url()).pathname) && !request.url().endsWith("/enhance.js")) bundle.push(request.url());
  });
  await phone.goto(link);
  await expect(phone.getByRole("heading", { name: "Hello, Robert" })).toBeVisible();
  await expect(phone.getByRole("heading", { name: street })).toBeVisible();
  await enhanced(phone, testInfo);
  await phone.waitForLoadState("load");
  expect(bundle).toEqual([]);
  if (hydrated) {
    const results = await new AxeBuilder({ page: phone })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
      .analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  // An empty answer is refused with a message, then a real one is sent.
  await phone.getByRole("button", { name: "Send my written answer" }).click();
  await expect(phone.getByText("Please write your answer first")).toBeVisible();
  // With the keyboard alone: Tab to the answer, type, Tab to its button, Enter.
  await tabTo(phone, phone.getByLabel("Write my answer"));
  await phone.keyboard.type("Trams, the baker's bell, and my mother calling us in.");
  await tabTo(phone, phone.getByRole("button", { name: "Send my written answer" }));
  await phone.keyboard.press("Enter");
  await expect(phone.getByText("Thank you! Your answer is with your family.")).toBeVisible();
  await expect(phone.getByText("There is no new question right now.")).toBeVisible();
  await expect(phone.getByText("Trams, the baker's bell, and my mother calling us in.")).toBeVisible();

  // A second question, answered with a recording from the phone's own recorder.
  const kitchen = "What was Grandma's kitchen like on a Sunday?";
  await open(page, `${campaign}/questions`, testInfo);
  await page.getByLabel("Your question").fill(kitchen);
  await page.getByRole("button", { name: "Add to the queue" }).click();
  await expect(page.getByRole("region", { name: "Up next" }).getByText(kitchen)).toBeVisible();
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Send the next question now" }).click();
  await expect(asked.getByText(kitchen)).toBeVisible();
  await phone.goto(link);
  await expect(phone.getByRole("heading", { name: kitchen })).toBeVisible();
  const speech = fs.readFileSync(path.join(__dirname, "..", "..", "tests", "fixtures", "media", "speech.wav"));
  await phone.getByLabel("Choose or make a recording").setInputFiles([{ name: "answer.wav", mimeType: "audio/wav", buffer: speech }]);
  await phone.getByRole("button", { name: "Send this recording" }).click();
  await expect(phone.getByText("Thank you! Your answer is with your family.")).toBeVisible();
  await expect(phone.getByText("You answered by talking.")).toBeVisible();

  // The family sees both answers as stories, titled with the questions.
  await open(page, `${campaign}/stories`, testInfo);
  await expect(page.getByRole("link", { name: street })).toBeVisible();
  await page.getByRole("link", { name: kitchen }).click();
  await expect(page.getByRole("heading", { name: kitchen })).toBeVisible();

  // Replaced: the old link says whom to ask, and the new one works.
  await open(page, `${campaign}/questions`, testInfo);
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Replace the link" }).click();
  await expect(page.getByLabel("Storyteller's link")).not.toHaveValue(link);
  await phone.goto(link);
  await expect(phone.getByRole("heading", { name: "This link was replaced" })).toBeVisible();
  await expect(phone.getByText("Please ask Olive for the new one.")).toBeVisible();
  await axe(phone, testInfo);
  await phone.goto(`${link}x`);
  await expect(phone.getByRole("heading", { name: "This link doesn't work" })).toBeVisible();
  await axe(phone, testInfo);
  await context.close();
});

/** Presses Tab until `target` has the focus (the way someone without a mouse gets there). */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 40; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("never reached with Tab");
}

async function axe(page: Page, testInfo: TestInfo) {
  if (testInfo.project.name !== "hydrated") return;
  await enhanced(page, testInfo);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

// Cards for a storyteller without email: the PDF downloads, and the questions handed over
// show as sent. A plain form, so the same with JavaScript on and off.
test("the owner prints question cards", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Mum's Stories");
  await page.getByLabel("Storyteller's name").fill("Mary");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();
  await open(page, `${campaign}/questions`, testInfo);
  for (const question of ["Who taught you to swim?", "What was your first job?", "Where did you meet Dad?"]) {
    await page.getByLabel("Your question").fill(question);
    await page.getByRole("button", { name: "Add to the queue" }).click();
    await expect(page.getByRole("region", { name: "Up next" }).getByText(question)).toBeVisible();
  }
  await open(page, `${campaign}/questions`, testInfo);
  const cards = page.getByRole("region", { name: "Question cards to print" });
  await cards.getByLabel("A4").check();
  await cards.getByLabel("Also hand over this many new questions from the queue").fill("2");
  const download = page.waitForEvent("download");
  await cards.getByRole("button", { name: "Make the cards (PDF)" }).click();
  const file = await (await download).path();
  expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
  await open(page, `${campaign}/questions`, testInfo);
  const asked = page.getByRole("region", { name: "Asked and skipped" });
  await expect(asked.getByText("Who taught you to swim?")).toBeVisible();
  await expect(asked.getByText("What was your first job?")).toBeVisible();
  await expect(page.getByRole("region", { name: "Up next" }).getByText("Where did you meet Dad?")).toBeVisible();
  await expect(cards.getByText("every question waiting for an answer (2 now)")).toBeVisible();
  await axe(page, testInfo);
});
