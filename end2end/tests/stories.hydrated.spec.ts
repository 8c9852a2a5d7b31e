// Features that need JavaScript (autosave, recording, dragging); the no-js project skips
// this file (playwright.config.ts). Each has a plain-HTML alternative tested elsewhere:
// the Save button, file upload, Move up/down.
import { expect, test } from "@playwright/test";
import { newStory, open, ready } from "./helpers";

test("text typed while saving fails stays in the editor and is saved after recovery", async ({ page }, testInfo) => {
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

test("a refused microphone gets a clear message and the upload stays available", async ({ page }, testInfo) => {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
  });
  await newStory(page, testInfo, "No microphone");
  await page.getByRole("button", { name: "Start recording" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Microphone access was refused" })).toBeVisible();
  await expect(page.getByLabel("Upload a recording")).toBeVisible();
});

test("owners reorder stories by dragging", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "One");
  const list = page.url().replace(/\/[0-9a-f-]{36}\/edit$/, "");
  await open(page, `${list}/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("Two");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await open(page, list, testInfo);
  const stories = page.getByRole("list", { name: "Stories in book order" });
  const moved = page.waitForResponse((r) => r.url().endsWith("/api/move_story") && r.ok());
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  await stories.getByRole("listitem").filter({ hasText: "Two" }).dragTo(stories.getByRole("listitem").filter({ hasText: "One" }), {
    targetPosition: { x: 10, y: 2 },
  });
  await moved;
  // The page shows the saved order in place, without reloading; so does a fresh load.
  await expect(stories.getByRole("link")).toHaveText(["Two", "One"]);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  await open(page, list, testInfo);
  await expect(stories.getByRole("link")).toHaveText(["Two", "One"]);
});
