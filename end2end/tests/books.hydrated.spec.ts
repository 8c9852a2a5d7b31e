// Book designer features that need JavaScript; each has a plain-HTML alternative tested in
// books.spec.ts (Move up/down buttons).
import { expect, test } from "@playwright/test";
import { newStory, open, ready } from "./helpers";

test("stories in a book are reordered by dragging", async ({ page }, testInfo) => {
  await newStory(page, testInfo, "One");
  const stories = page.url().replace(/\/[0-9a-f-]{36}\/edit$/, "");
  await open(page, `${stories}/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("Two");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await open(page, `${stories.replace(/\/stories$/, "")}/books`, testInfo);
  await page.getByLabel("Book title").fill("Drafts");
  await page.getByRole("button", { name: "Create book" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Drafts" })).toBeVisible();
  await ready(page, testInfo);
  // Draft stories aren't in a new book; add both.
  for (const title of ["One", "Two"]) {
    await page.getByRole("button", { name: `Add “${title}” to the book` }).click();
    await ready(page, testInfo);
  }
  const list = page.getByRole("list", { name: "Stories in the book, in order" });
  const titles = list.locator(".book-story__title");
  await expect(titles).toHaveText(["1. One", "2. Two"]);
  const designer = page.url().replace(/#.*$/, "");
  const moved = page.waitForResponse((r) => r.url().endsWith("/api/move_book_story") && r.ok());
  await list.getByRole("listitem").filter({ hasText: "2. Two" }).first().dragTo(list.getByRole("listitem").filter({ hasText: "1. One" }).first(), {
    targetPosition: { x: 10, y: 2 },
  });
  await moved;
  await expect(titles).toHaveText(["1. Two", "2. One"]);
  await open(page, designer, testInfo);
  await expect(titles).toHaveText(["1. Two", "2. One"]);
});

test("the arrow keys turn the preview's pages", async ({ page }, testInfo) => {
  test.setTimeout(90_000); // a debug build typesets and draws 32 pages first
  await newStory(page, testInfo, "One");
  const stories = page.url().replace(/\/[0-9a-f-]{36}\/edit$/, "");
  await open(page, `${stories.replace(/\/stories$/, "")}/books`, testInfo);
  await page.getByLabel("Book title").fill("Keys");
  await page.getByRole("button", { name: "Create book" }).click();
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Make the print PDF" }).click();
  await page.getByRole("link", { name: "Preview every page" }).click({ timeout: 60_000 });
  await ready(page, testInfo);
  await expect(page.getByText(/^Page 1 of \d+$/)).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByText(/^Page 2 of \d+$/)).toBeVisible();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByText(/^Page 1 of \d+$/)).toBeVisible();
});
