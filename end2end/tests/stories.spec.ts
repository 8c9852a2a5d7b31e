import { expect, test, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { newStory, open, ready } from "./helpers";

const hydrated = (testInfo: TestInfo) => testInfo.project.name === "hydrated";

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

test("a photo with EXIF orientation 6 is shown upright", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Pictures");
  const photo = path.join(__dirname, "..", "fixtures", "orientation6.jpg");
  // Several at once: each is uploaded (and reported) on its own.
  const bytes = fs.readFileSync(photo);
  await page.getByLabel("Add photos").setInputFiles([
    { name: "orientation6.jpg", mimeType: "image/jpeg", buffer: bytes },
    { name: "second.jpg", mimeType: "image/jpeg", buffer: bytes },
  ]);
  await page.getByRole("button", { name: "Upload photos" }).click();
  // Without a description, each is told apart by its place in the story.
  const img = page.getByRole("img", { name: "Photo 1 of 2 from “Pictures”" });
  await expect(img).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("img", { name: "Photo 2 of 2 from “Pictures”" })).toBeVisible();
  // Stored sideways (landscape pixels, rotate-90 tag): upright it is portrait.
  const size = await img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight]);
  expect(size[1]).toBeGreaterThan(size[0]);
});

test("a file that is not a photo is refused with a clear message", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "Not a photo");
  await page.getByLabel("Add photos").setInputFiles({ name: "holiday.jpg", mimeType: "image/jpeg", buffer: Buffer.from("MZ\x90\x00 this is a program") });
  await page.getByRole("button", { name: "Upload photos" }).click();
  await expect(page.getByText(/isn't a photo we can use/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Photos" }).getByRole("img")).toHaveCount(0);
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
