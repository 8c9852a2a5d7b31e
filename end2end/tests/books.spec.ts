import { expect, test, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { makePrintPdf, newStory, open, ready } from "./helpers";

/** Writes the story open in the editor, adds a photo (optional) and marks it completed. */
async function finishStory(page: Page, testInfo: TestInfo, text: string, photo?: Buffer) {
  const editor = page.url();
  await page.getByLabel("Story", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  if (photo) {
    await open(page, editor, testInfo);
    await page.getByLabel("Add photos").setInputFiles({ name: "porch.jpg", mimeType: "image/jpeg", buffer: photo });
    await page.getByRole("button", { name: "Upload photos" }).click();
    await expect(page.getByRole("img", { name: /^Photo from “/ })).toBeVisible({ timeout: 15_000 });
  }
  await open(page, editor.replace(/\/edit$/, ""), testInfo);
  await page.getByRole("button", { name: "Mark as completed" }).click();
  await ready(page, testInfo);
  await expect(page.getByText("This story is Completed.")).toBeVisible();
}

test("an owner designs a book, watches it typeset, flips the pages, downloads the PDF and marks it ready", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const photo = fs.readFileSync(path.join(__dirname, "..", "fixtures", "orientation6.jpg"));
  await newStory(page, testInfo, "The farm");
  const stories = page.url().replace(/\/[0-9a-f-]{36}\/edit$/, "");
  const campaign = stories.replace(/\/stories$/, "");
  await finishStory(page, testInfo, "We had **cows** and a _very_ old tractor.\n\n> Waste not, want not.", photo);
  await open(page, `${stories}/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("Walking to school");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await ready(page, testInfo);
  await finishStory(page, testInfo, "Two miles, uphill, *both* ways.");

  // A new book starts with the finished stories, in the campaign's order.
  await open(page, campaign, testInfo);
  await page.getByRole("main").getByRole("link", { name: "Books", exact: true }).click();
  await ready(page, testInfo);
  await page.getByLabel("Book title").fill("Grandpa's Book");
  await page.getByRole("button", { name: "Create book" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Grandpa's Book" })).toBeVisible();
  await ready(page, testInfo);
  const order = page.getByRole("list", { name: "Stories in the book, in order" }).locator(".book-story__title");
  await expect(order).toHaveText(["1. The farm", "2. Walking to school"]);
  await page.getByRole("button", { name: "Move “Walking to school” up" }).click();
  await ready(page, testInfo);
  await expect(order).toHaveText(["1. Walking to school", "2. The farm"]);
  // Leaving a story out and adding it back puts it at the end.
  await page.getByRole("button", { name: "Leave “Walking to school” out of the book" }).click();
  await ready(page, testInfo);
  await expect(order).toHaveText(["1. The farm"]);
  await page.getByRole("button", { name: "Add “Walking to school” to the book" }).click();
  await ready(page, testInfo);
  await expect(order).toHaveText(["1. The farm", "2. Walking to school"]);
  await page.getByRole("button", { name: "Move “The farm” down" }).click();
  await ready(page, testInfo);
  await expect(order).toHaveText(["1. Walking to school", "2. The farm"]);

  // The modern template and a full-bleed photo cover.
  await page.getByLabel(/^Modern/).check();
  await page.getByRole("button", { name: "Save details" }).click();
  await ready(page, testInfo);
  await expect(page.getByLabel(/^Modern/)).toBeChecked();
  await page.getByLabel("Full-bleed photo").check();
  await page.getByRole("radio", { name: "Photo 1" }).check();
  await page.getByRole("button", { name: "Save cover" }).click();
  await ready(page, testInfo);
  await expect(page.getByLabel("Full-bleed photo")).toBeChecked();
  await expect(page.getByRole("radio", { name: "Photo 1" })).toBeChecked();

  // Typesetting runs in the background; the page follows it to 100%.
  await makePrintPdf(page, testInfo);
  await expect(page.getByText(/^\d+ pages · 2 stories · 1 photo$/)).toBeVisible();
  const cover = page.getByRole("img", { name: "The cover: back, spine and front" });
  await expect(cover).toBeVisible();
  // The page may be showing a render a newer one is replacing: ask again for the current one.
  await expect
    .poll(async () => (await page.request.get((await cover.getAttribute("src"))!)).headers()["content-type"])
    .toBe("image/png");

  // The print check names the tiny photo; the PDF downloads.
  const check = page.getByRole("region", { name: "Print check" });
  await expect(check.getByText(/A photo in “The farm” is only \d+ dpi/)).toBeVisible();
  await expect(check.getByRole("img", { name: "The photo in “The farm”" })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the book PDF" }).click();
  const file = await (await download).path();
  expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");

  // Flip through the preview, one page and then facing pages.
  await page.getByRole("link", { name: "Preview every page" }).click();
  await ready(page, testInfo);
  await expect(page.getByText(/^Page 1 of \d+$/)).toBeVisible();
  await expect(page.getByRole("img", { name: "Page 1 of Grandpa's Book" })).toBeVisible();
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page.getByText(/^Page 2 of \d+$/)).toBeVisible();
  await expect(page.getByRole("img", { name: "Page 2 of Grandpa's Book" })).toBeVisible();
  await page.getByRole("link", { name: "Show facing pages" }).click();
  await expect(page.getByText(/^Pages 2–3 of \d+$/)).toBeVisible();
  await expect(page.getByRole("img", { name: "Page 3 of Grandpa's Book" })).toBeVisible();
  await page.getByRole("link", { name: "Zoom 200%" }).click();
  await expect(page.getByRole("link", { name: "Zoom 200%" })).toHaveAttribute("aria-current", "true");
  const src = await page.getByRole("img", { name: "Page 3 of Grandpa's Book" }).getAttribute("src");
  const image = await page.request.get(src!);
  expect(image.headers()["content-type"]).toBe("image/png");

  // Proofread, then ready to order.
  await page.getByRole("link", { name: "Grandpa's Book" }).click();
  await ready(page, testInfo);
  await page.getByLabel("I have proofread every page").check();
  await page.getByRole("button", { name: "Mark ready to order" }).click();
  await ready(page, testInfo);
  await expect(page.getByText("This book is ready to order.")).toBeVisible();
});
