import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { open, ready, signUp, uniqueEmail } from "./helpers";

// The owner chooses the storyteller's questions: from the library by topic and by word,
// written by hand, reordered, skipped. Every step is a plain form (the no-js project runs it
// without JavaScript).
test("an owner builds the storyteller's question queue", async ({ page }, testInfo) => {
  test.setTimeout(60_000); // a dozen page loads without JavaScript
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Life Stories");
  await page.getByLabel("Storyteller's name").fill("Robert");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  await ready(page, testInfo);
  await page.getByRole("link", { name: "Questions" }).click();
  await expect(page.getByRole("heading", { name: "Questions for Robert" })).toBeVisible();
  // No schedule yet, and the page says so; a time zone that doesn't exist is refused.
  await expect(page.getByText("No weekly schedule yet")).toBeVisible();
  await ready(page, testInfo);
  await page.getByLabel("Day", { exact: true }).selectOption({ label: "Sunday" });
  await page.getByLabel("Time", { exact: true }).fill("09:30");
  await page.getByLabel("Their time zone").fill("Mars/Olympus");
  await page.getByRole("button", { name: "Save the schedule" }).click();
  await expect(page.getByText("Please choose a time zone from the list")).toBeVisible();
  await page.getByLabel("Their time zone").fill("Europe/London");
  await page.getByRole("button", { name: "Save the schedule" }).click();
  await expect(page.getByText(/Next question: Sunday \d+ \w+ at 09:30\./)).toBeVisible();
  await ready(page, testInfo);
  const queue = page.getByRole("region", { name: "Up next" });
  await expect(queue.getByText("No questions are waiting.")).toBeVisible();

  // From the library, by topic.
  await page.getByLabel("Topic").selectOption({ label: "Childhood" });
  await page.getByRole("button", { name: "Show questions" }).click();
  await expect(page).toHaveURL(/topic=childhood/);
  await ready(page, testInfo);
  const street = "What did your street sound like on a summer evening when you were ten?";
  await page.getByRole("button", { name: `Add: ${street}` }).click();
  await expect(queue.getByText(street)).toBeVisible();
  await expect(page.getByRole("button", { name: `Add: ${street}` })).toHaveCount(0);

  // Written by hand; an empty one is refused with a message.
  await page.getByRole("button", { name: "Add to the queue" }).click();
  await expect(page.getByText("Please write the question you'd like to ask.")).toBeVisible();
  const kitchen = "What was Grandma's kitchen like on a Sunday?";
  await page.getByLabel("Your question").fill(kitchen);
  await page.getByRole("button", { name: "Add to the queue" }).click();
  await expect(queue.getByText(kitchen)).toBeVisible();

  // Reordered: the written one first.
  await page.getByRole("button", { name: `Move up: ${kitchen}` }).click();
  await expect(queue.getByRole("listitem").first()).toContainText(kitchen);
  await expect(queue.getByRole("listitem").nth(1)).toContainText(street);

  // Skipped: it leaves the queue and is listed as skipped.
  await page.getByRole("button", { name: `Skip: ${street}` }).click();
  const asked = page.getByRole("region", { name: "Asked and skipped" });
  await expect(asked.getByText(street)).toBeVisible();
  await expect(asked.getByText("Skipped", { exact: true })).toBeVisible();
  await expect(queue.getByText(street)).toHaveCount(0);
  await expect(page.getByText("1 question in the queue · 0 asked so far")).toBeVisible();
  await expect(page).toHaveURL(/\/questions/);

  // About a photo: the gallery's picture, asked about once.
  const campaign = page.url().replace(/\/questions.*$/, "");
  await open(page, `${campaign}/photos`, testInfo);
  const photo = fs.readFileSync(path.join(__dirname, "..", "fixtures", "orientation6.jpg"));
  await page.getByLabel("Add photos").setInputFiles([{ name: "porch.jpg", mimeType: "image/jpeg", buffer: photo }]);
  await page.getByRole("button", { name: "Upload photos" }).click();
  await expect(page.getByRole("img").first()).toBeVisible({ timeout: 15_000 });
  await open(page, `${campaign}/questions`, testInfo);
  await page.getByRole("button", { name: "Ask about Photo 1, without a description" }).click();
  await expect(queue.getByText("Tell us about this picture.")).toBeVisible();
  await expect(queue.getByRole("img", { name: "The photo this question is about" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Ask about Photo/ })).toHaveCount(0);

  // axe runs in the page, so only where JavaScript is on.
  if (testInfo.project.name === "hydrated") {
    const results = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
      .analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
});
