import { expect, test, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { open, ready, signUp, uniqueEmail } from "./helpers";

const hydrated = (testInfo: TestInfo) => testInfo.project.name === "hydrated";

/** Signs up, starts a campaign and a story; leaves the page on the story's editor. */
async function newStory(page: Page, testInfo: TestInfo, title: string) {
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Life Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await ready(page, testInfo);
  await page.getByRole("link", { name: "Write a new story" }).click();
  await ready(page, testInfo);
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Category", { exact: true }).selectOption("childhood");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/stories\/[0-9a-f-]{36}\/edit$/);
  await ready(page, testInfo);
}

test("a story written with bold text autosaves and is intact after reloading", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "The farm");
  const story = page.getByLabel("Story", { exact: true });
  if (hydrated(testInfo)) {
    await story.fill("We milked the cows every morning. ");
    await page.getByRole("button", { name: "Bold" }).click();
    await page.keyboard.type("Every single one");
    await expect(page.getByText("9 words")).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: /^Saved \d\d:\d\d$/ })).toBeVisible();
    await page.reload();
    await ready(page, testInfo);
    await expect(story).toHaveValue("We milked the cows every morning. **Every single one**");
  } else {
    await story.fill("We milked the cows every morning. **Every single one**");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\/stories\/[0-9a-f-]{36}$/);
  }
  await open(page, page.url().replace(/\/edit$/, ""), testInfo);
  await expect(page.locator("strong", { hasText: "Every single one" })).toBeVisible();
  await expect(page.getByText("9 words")).toBeVisible();

  await open(page, "/search?q=milking", testInfo);
  await expect(page.getByRole("link", { name: "The farm" })).toBeVisible();
  await expect(page.locator("mark", { hasText: "milked" })).toBeVisible();
});

test("text typed while saving fails stays in the editor and is saved after recovery", async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), "autosave needs JavaScript");
  await newStory(page, testInfo, "The war years");
  await page.route("**/api/save_story", (route) => route.abort("connectionrefused"));
  const story = page.getByLabel("Story", { exact: true });
  await story.fill("Rationing meant no sugar for three years.");
  await expect(page.getByRole("status").filter({ hasText: "Not saved — retrying" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "kept in this browser" })).toBeVisible();

  // Even a reload while the server is unreachable keeps the text (it is in localStorage).
  await page.reload();
  await ready(page, testInfo);
  await expect(story).toHaveValue("Rationing meant no sugar for three years.");
  await expect(page.getByText("We brought back changes from this browser")).toBeVisible();

  await page.unroute("**/api/save_story");
  await expect(page.getByRole("status").filter({ hasText: /^Saved \d\d:\d\d$/ })).toBeVisible({ timeout: 15_000 });
  await page.reload();
  await ready(page, testInfo);
  await expect(story).toHaveValue("Rationing meant no sugar for three years.");
  await expect(page.getByText("We brought back changes")).toHaveCount(0);
});

test("a second editor's save is never overwritten silently", async ({ page, context }, testInfo) => {
  test.skip(!hydrated(testInfo), "autosave needs JavaScript");
  await newStory(page, testInfo, "Shared");
  const url = page.url();
  const other = await context.newPage();
  await open(other, url, testInfo);
  await other.getByLabel("Story", { exact: true }).fill("Their words first.");
  await expect(other.getByRole("status").filter({ hasText: /^Saved/ })).toBeVisible();

  await page.getByLabel("Story", { exact: true }).fill("My words second.");
  await expect(page.getByRole("heading", { name: "This story changed since you opened it" })).toBeVisible();
  await page.getByRole("button", { name: "Keep my version" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Saved/ })).toBeVisible();
  await open(other, url, testInfo);
  await expect(other.getByLabel("Story", { exact: true })).toHaveValue("My words second.");
});

test("a story is recorded in the browser, uploaded, timed and played back", async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), "recording needs JavaScript");
  await newStory(page, testInfo, "Told aloud");
  await page.getByRole("button", { name: "Start recording" }).click();
  await expect(page.getByText("Recording…")).toBeVisible();
  await page.waitForTimeout(3300);
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByLabel("Listen back to your recording")).toBeVisible();
  await page.getByRole("button", { name: "Save this recording" }).click();
  await expect(page.getByText(/^Recording · 0:0[34]$/)).toBeVisible({ timeout: 20_000 });

  // The server transcribes it in the background; the page follows the job.
  await expect(page.locator(".transcription-status")).toHaveText(/Transcribed/, { timeout: 60_000 });

  const player = page.getByLabel("Play the recording");
  await player.evaluate((audio: HTMLAudioElement) => audio.play());
  await expect.poll(() => player.evaluate((audio: HTMLAudioElement) => audio.currentTime), { timeout: 10_000 }).toBeGreaterThan(0.3);
  // Seeking uses HTTP Range requests.
  await player.evaluate((audio: HTMLAudioElement) => { audio.currentTime = 2; });
  await expect.poll(() => player.evaluate((audio: HTMLAudioElement) => audio.currentTime)).toBeGreaterThanOrEqual(2);
});

test("a photo with EXIF orientation 6 is shown upright", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Pictures");
  const photo = path.join(__dirname, "..", "fixtures", "orientation6.jpg");
  // Several at once: each is uploaded (and reported) on its own.
  await page.getByLabel("Add photos").setInputFiles([
    photo,
    { name: "second.jpg", mimeType: "image/jpeg", buffer: fs.readFileSync(photo) },
  ]);
  await page.getByRole("button", { name: "Upload photos" }).click();
  const img = page.getByRole("img", { name: "orientation6.jpg" });
  await expect(img).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("img", { name: "second.jpg" })).toBeVisible();
  // Stored sideways (landscape pixels, rotate-90 tag): upright it is portrait.
  const size = await img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight]);
  expect(size[1]).toBeGreaterThan(size[0]);
});

test("a file that is not a photo is refused with a clear message", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Not a photo");
  await page.getByLabel("Add photos").setInputFiles({ name: "holiday.jpg", mimeType: "image/jpeg", buffer: Buffer.from("MZ\x90\x00 this is a program") });
  await page.getByRole("button", { name: "Upload photos" }).click();
  await expect(page.getByText(/isn't a photo we can use/)).toBeVisible();
  await expect(page.getByRole("img", { name: "holiday.jpg" })).toHaveCount(0);
});

test("owners reorder stories with Move up and Move down", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "First");
  const list = page.url().replace(/\/[0-9a-f-]{36}\/edit$/, "");
  for (const title of ["Second", "Third"]) {
    await open(page, `${list}/new`, testInfo);
    await page.getByLabel("Title", { exact: true }).fill(title);
    await page.getByRole("button", { name: "Start writing" }).click();
    await expect(page).toHaveURL(/\/edit$/);
  }
  await open(page, list, testInfo);
  await page.getByRole("button", { name: "Move up: Third" }).click();
  await ready(page, testInfo);
  await expect(page.getByRole("list", { name: "Stories in book order" }).getByRole("link")).toHaveText(["First", "Third", "Second"]);
  await page.getByRole("button", { name: "Move down: First" }).click();
  await ready(page, testInfo);
  await expect(page.getByRole("list", { name: "Stories in book order" }).getByRole("link")).toHaveText(["Third", "First", "Second"]);
});

test("a refused microphone gets a clear message and the upload stays available", async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), "recording needs JavaScript");
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
  });
  await newStory(page, testInfo, "No microphone");
  await page.getByRole("button", { name: "Start recording" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Microphone access was refused" })).toBeVisible();
  await expect(page.getByLabel("Upload a recording")).toBeVisible();
});

test("owners reorder stories by dragging", async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), "dragging needs JavaScript; Move up/down is the alternative");
  await newStory(page, testInfo, "One");
  const list = page.url().replace(/\/[0-9a-f-]{36}\/edit$/, "");
  await open(page, `${list}/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("Two");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await open(page, list, testInfo);
  const stories = page.getByRole("list", { name: "Stories in book order" });
  const moved = page.waitForResponse((r) => r.url().endsWith("/api/move_story") && r.ok());
  // After the move is saved the page reloads itself with the new order.
  const reloaded = page.waitForRequest((r) => r.isNavigationRequest() && r.url() === list);
  await stories.getByRole("listitem").filter({ hasText: "Two" }).dragTo(stories.getByRole("listitem").filter({ hasText: "One" }), {
    targetPosition: { x: 10, y: 2 },
  });
  await moved;
  await reloaded;
  await page.waitForLoadState("load");
  await ready(page, testInfo);
  await expect(stories.getByRole("link")).toHaveText(["Two", "One"]);
});
