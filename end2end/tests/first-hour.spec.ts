// What a new family meets in its first hour (issue #11): recorder controls that apply,
// story text that can't plant elements or reach other hosts, honest invitation mail,
// a first book that isn't empty, no promises we don't keep, and the small things.
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { makePrintPdf, newStory, open, ready, signUp, uniqueEmail } from "./helpers";

const photo = () => fs.readFileSync(path.join(__dirname, "..", "fixtures", "orientation6.jpg"));

/** Saves the story text and comes back to the editor. */
async function saveText(page: Page, testInfo: TestInfo, text: string) {
  const editor = page.url();
  await page.getByLabel("Story", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  if (testInfo.project.name === "hydrated") {
    // With JavaScript the editor saves in place; leave only once the server has the text.
    await expect(page.locator(".save-indicator")).toHaveText(/^Saved \d\d:\d\d$/);
  } else {
    // A plain save shows the story; come back to the editor.
    await expect(page).not.toHaveURL(/\/edit$/);
    await open(page, editor, testInfo);
  }
}

async function newCampaign(page: Page, testInfo: TestInfo, title: string) {
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill(title);
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await ready(page, testInfo);
  return page.url();
}

test("before anything is recorded, the recorder offers only Start recording", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Told aloud");
  for (const name of ["Pause", "Stop", "Save this recording", "Record again"]) {
    await expect(page.getByRole("button", { name, exact: true })).toBeHidden();
  }
  await expect(page.getByLabel("Listen back to your recording")).toBeHidden();
  if (testInfo.project.name === "hydrated") {
    await expect(page.getByRole("button", { name: "Start recording" })).toBeVisible();
  } else {
    // Recording needs JavaScript; the upload form is the way without it.
    await expect(page.getByRole("button", { name: "Start recording" })).toBeHidden();
    await expect(page.getByLabel("Upload a recording")).toBeVisible();
  }
});

test("raw HTML in a story shows as text, adds no element and sends readers nowhere else", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Sneaky");
  await saveText(
    page,
    testInfo,
    'Hello <img src=x> and <img src="https://elsewhere.example/pixel.gif"> <b>bold</b>\n\n' +
      '<div class="x"><iframe src="https://elsewhere.example/frame"></iframe></div>\n\n' +
      "![tracker](https://elsewhere.example/p2.gif)",
  );
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await open(page, page.url().replace(/\/edit$/, ""), testInfo);
  const text = page.locator(".story__text");
  await expect(text).toContainText("<img src=x>");
  await expect(text).toContainText("<b>bold</b>");
  await expect(text.locator("img, b, div, iframe")).toHaveCount(0);
  await page.waitForLoadState("networkidle");
  const base = new URL(page.url()).host;
  expect(requests.filter((u) => !u.startsWith("data:") && new URL(u).host !== base)).toEqual([]);
});

test("with email set up, the family page confirms the invitation was sent", async ({ page }, testInfo) => {
  const campaign = await newCampaign(page, testInfo, "Grandma's Stories");
  await open(page, `${campaign}/family`, testInfo);
  await expect(page.getByText("They get an email with a link that works for 14 days.")).toBeVisible();
  const email = `cora-${uniqueEmail(testInfo)}`;
  await page.getByLabel("Their email").fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await ready(page, testInfo);
  await expect(page.getByRole("status", { name: "Invitation" })).toContainText(`Invitation sent to ${email}.`);
  await expect(page.getByRole("textbox", { name: "Invitation link" })).toHaveCount(0);
  // Shown once: a reload doesn't say it again.
  await page.reload();
  await ready(page, testInfo);
  await expect(page.getByRole("status", { name: "Invitation" })).toHaveCount(0);
});

test.describe("on a server that sends no email", () => {
  test.use({ baseURL: process.env.OUTBOX_BASE_URL ?? process.env.BASE_URL });

  test("the family page says so and hands over the invitation link", async ({ page, browser, context }, testInfo) => {
    const campaign = await newCampaign(page, testInfo, "Grandpa's Stories");
    await open(page, `${campaign}/family`, testInfo);
    await expect(page.getByText("They get an email")).toHaveCount(0);
    await expect(page.getByText("This server doesn't send email: you'll get a link to send them yourself.")).toBeVisible();
    const email = `vic-${uniqueEmail(testInfo)}`;
    await page.getByLabel("Their email").fill(email);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await ready(page, testInfo);
    const notice = page.getByRole("status", { name: "Invitation" });
    await expect(notice).toContainText(`no email went to ${email}`);
    const field = page.getByRole("textbox", { name: "Invitation link" });
    await expect(field).toHaveValue(/^http:\/\/[^/]+\/invitations\/[A-Za-z0-9_-]+$/);
    const link = await field.inputValue();

    const copy = page.getByRole("button", { name: "Copy invitation link" });
    if (testInfo.project.name === "hydrated") {
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await copy.click();
      await expect(notice).toContainText("Copied.");
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    } else {
      await expect(copy).toBeHidden();
    }

    // The pending invitation offers a new link rather than an email.
    const pending = page.getByRole("region", { name: "Waiting to join" });
    await expect(pending.getByRole("button", { name: /^Send the invitation/ })).toHaveCount(0);
    await pending.getByRole("button", { name: /^Make a new invitation link/ }).click();
    await ready(page, testInfo);
    await expect(page.getByRole("textbox", { name: "Invitation link" })).not.toHaveValue(link);

    // The newest link is the one that works.
    const guest = await (await browser.newContext()).newPage();
    await open(guest, await page.getByRole("textbox", { name: "Invitation link" }).inputValue(), testInfo);
    await expect(guest.getByRole("heading", { name: "You're invited" })).toBeVisible();
  });
});

test("a family's first book starts with the stories written so far, drafts marked", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "The farm");
  await saveText(page, testInfo, "We had cows and a very old tractor.");
  const story = page.url().replace(/\/edit$/, "");
  await open(page, story, testInfo);
  await expect(page.getByText("This story is Draft.")).toBeVisible();
  await expect(page.getByText("Finished writing it? Mark it as completed")).toBeVisible();

  const campaign = story.replace(/\/stories\/[0-9a-f-]{36}$/, "");
  await open(page, `${campaign}/books`, testInfo);
  await page.getByLabel("Book title").fill("Grandpa's Book");
  await page.getByRole("button", { name: "Create book" }).click();
  await ready(page, testInfo);
  const order = page.getByRole("list", { name: "Stories in the book, in order" });
  await expect(order.locator(".book-story__title")).toHaveText(["1. The farm"]);
  await expect(order.getByText("Draft", { exact: true })).toBeVisible();

  // Marked completed, the nudge goes.
  await open(page, story, testInfo);
  await page.getByRole("button", { name: "Mark as completed" }).click();
  await ready(page, testInfo);
  await expect(page.getByText("This story is Completed.")).toBeVisible();
  await expect(page.getByText("Finished writing it?")).toHaveCount(0);
});

test("the front page promises what exists: the weekly question, not ordering (yet)", async ({ page }, testInfo) => {
  await open(page, "/", testInfo);
  await expect(page.getByRole("heading", { name: "A question a week" })).toBeVisible();
  await expect(page.getByText(/order printed copies/i)).toHaveCount(0);
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await expect(page.getByLabel("Storyteller's email (optional)")).toHaveAccessibleDescription(/weekly question goes/);
  await expect(page.getByText(/nothing is sent/i)).toHaveCount(0);
});

test("the editor's status never claims a save that didn't happen", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Unsaved");
  const status = page.locator(".save-indicator");
  if (testInfo.project.name === "hydrated") {
    await expect(status).toHaveText("All changes saved");
  } else {
    await expect(status).toHaveText("Save to keep your changes.");
    await page.getByLabel("Story", { exact: true }).fill("Typed, not yet saved.");
    await expect(status).not.toHaveText(/saved$/i);
  }
});

test("photos are described for people who can't see them, and numbers agree with nouns", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await newStory(page, testInfo, "The tractor");
  await saveText(page, testInfo, "Dad drove it until 1979.");
  await page.getByLabel("Description (optional)").fill("Dad on the red tractor");
  await page.getByLabel("Add photos").setInputFiles({ name: "IMG_2034.jpg", mimeType: "image/jpeg", buffer: photo() });
  await page.getByRole("button", { name: "Upload photos" }).click();
  await expect(page.getByRole("img", { name: "Dad on the red tractor" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("5 words", { exact: true })).toBeVisible();
  const story = page.url().replace(/\/edit$/, "");
  await open(page, story, testInfo);
  await expect(page.getByRole("img", { name: "Dad on the red tractor" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Photo", exact: true })).toHaveCount(0);

  // A one-story book: "1 story · 1 photo", and why it has 32 pages.
  const campaign = story.replace(/\/stories\/[0-9a-f-]{36}$/, "");
  await open(page, `${campaign}/books`, testInfo);
  await page.getByLabel("Book title").fill("Short Book");
  await page.getByRole("button", { name: "Create book" }).click();
  await ready(page, testInfo);
  await expect(page.getByText("blank “Notes” pages fill a shorter book")).toBeVisible();
  await makePrintPdf(page, testInfo);
  await expect(page.getByText("32 pages · 1 story · 1 photo", { exact: true })).toBeVisible();
  const check = page.getByRole("region", { name: "Print check" });
  await expect(check.getByText(/Your stories fill \d+ pages\. Paperbacks are printed with at least 32 pages, so \d+ blank “Notes” pages/)).toBeVisible();
  await expect(check.getByText("A hardcover needs only 24 pages.")).toBeVisible();
  await expect(check.getByText(/^Note:/)).toBeVisible();
});

test("a media address opened on its own asks for nothing that isn't there", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Pictures");
  await page.getByLabel("Add photos").setInputFiles({ name: "a.jpg", mimeType: "image/jpeg", buffer: photo() });
  await page.getByRole("button", { name: "Upload photos" }).click();
  const img = page.getByRole("img", { name: "Photo from “Pictures”" });
  await expect(img).toBeVisible({ timeout: 15_000 });
  const src = (await img.getAttribute("src"))!;
  const missing: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await page.goto(src);
  await page.waitForLoadState("networkidle");
  const icon = await page.request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/icon/);
  expect(missing).toEqual([]);
});
