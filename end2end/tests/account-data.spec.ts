import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { newStory, open, PASSWORD, ready, signUp, uniqueEmail } from "./helpers";

test("a person downloads all their data and plays a recording from the ZIP, offline", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  await newStory(page, testInfo, "The dance hall");
  const speech = fs.readFileSync(path.join(__dirname, "..", "..", "tests", "fixtures", "media", "speech.wav"));
  await page.getByLabel("Upload a recording").setInputFiles({ name: "dance.wav", mimeType: "audio/wav", buffer: speech });
  await page.getByRole("button", { name: "Upload recording" }).click();
  await expect(page.getByText(/^Recording · \d+:\d\d$/)).toBeVisible({ timeout: 20_000 });

  await open(page, "/account", testInfo);
  const data = page.getByRole("region", { name: "Your data" });
  await data.getByRole("button", { name: "Prepare a download of my data" }).click();
  const link = data.getByRole("link", { name: /^Download your data \(ZIP, .+\)$/ });
  if (testInfo.project.name === "hydrated") {
    // The page follows the job by itself.
    await expect(data.getByRole("progressbar", { name: "Download being prepared" }).or(link)).toBeVisible();
    await expect(link).toBeVisible({ timeout: 60_000 });
  } else {
    await expect(page).toHaveURL(/\/account#your-data$/);
    await expect(async () => {
      await open(page, "/account", testInfo);
      await expect(link).toBeVisible({ timeout: 500 });
    }).toPass({ timeout: 60_000 });
  }
  await expect(data.getByRole("button", { name: "Prepare a download of my data" })).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const zip = testInfo.outputPath("data.zip");
  await download.saveAs(zip);
  const folder = testInfo.outputPath("data");
  execFileSync("python3", ["-m", "zipfile", "-e", zip, folder]);
  const json = JSON.parse(fs.readFileSync(path.join(folder, "data.json"), "utf8"));
  expect(json.campaigns).toHaveLength(1);
  expect(json.campaigns[0].stories[0].title).toBe("The dance hall");
  const recording = json.campaigns[0].stories[0].audio.file as string;
  expect(fs.readFileSync(path.join(folder, recording)).equals(speech)).toBe(true);

  // The ZIP's page, opened from disk in a browser with no server: it plays the recording.
  const offline = await (await browser.newContext({ javaScriptEnabled: true })).newPage();
  await offline.goto("file://" + path.join(folder, "index.html"));
  await expect(offline.getByRole("heading", { name: "The dance hall" })).toBeVisible();
  const audio = offline.locator("audio").first();
  await offline.getByRole("heading", { name: "The dance hall" }).click();
  await audio.evaluate((a: HTMLAudioElement) => a.play());
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
  expect(await audio.evaluate((a: HTMLAudioElement) => a.error)).toBeNull();
  await offline.context().close();
  await ready(page, testInfo);
});

test("deleting an account lists what happens, signs out, and logging in within seven days keeps it", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Rosa", email);
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Nonna's Kitchen");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);

  await open(page, "/account", testInfo);
  await page.getByRole("link", { name: "Delete your account" }).click();
  await expect(page.getByRole("heading", { name: "Delete your account", level: 1 })).toBeVisible();
  await expect(page.getByText("Nonna's Kitchen", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Make someone else the owner of Nonna's Kitchen" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in with a link we email you" })).toBeVisible();
  await ready(page, testInfo);

  // A refused deletion leaves the person signed in: nothing asks again who they are, which
  // re-rendered the form and emptied the password typed right after the message.
  const whoAmI: string[] = [];
  page.on("request", (request) => {
    if (request.url().endsWith("/api/current_user")) whoAmI.push(request.url());
  });
  await page.getByLabel("Your password").fill("not my password");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByText("That is not your current password.")).toBeVisible();
  await page.waitForTimeout(500);
  expect(whoAmI).toHaveLength(0);

  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/goodbye$/);
  await expect(page.getByRole("heading", { name: "Your account will be deleted" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" })).toBeVisible();
  await open(page, "/account", testInfo);
  await expect(page).toHaveURL(/\/login/);

  await open(page, "/login", testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("link", { name: "Nonna's Kitchen" }).first()).toBeVisible();
});

test("a person adds a picture; a file that is not a photo is refused with a message", async ({ page }, testInfo) => {
  await signUp(page, testInfo, "Pia", uniqueEmail(testInfo));
  await open(page, "/account", testInfo);
  const picture = page.getByRole("region", { name: "Your picture" });
  await picture.getByLabel("Choose a photo").setInputFiles({ name: "me.jpg", mimeType: "image/jpeg", buffer: Buffer.from("MZ this is a program") });
  await picture.getByRole("button", { name: "Upload picture" }).click();
  await expect(picture.getByRole("alert")).toContainText(/photo/i);
  await expect(picture.getByRole("img", { name: "Your picture" })).toHaveCount(0);

  const photo = fs.readFileSync(path.join(__dirname, "..", "fixtures", "orientation6.jpg"));
  await picture.getByLabel("Choose a photo").setInputFiles({ name: "me.jpg", mimeType: "image/jpeg", buffer: photo });
  await picture.getByRole("button", { name: "Upload picture" }).click();
  const img = picture.getByRole("img", { name: "Your picture" });
  await expect(img).toBeVisible();
  expect(await img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  await ready(page, testInfo);
  await picture.getByRole("button", { name: "Remove picture" }).click();
  await expect(picture.getByRole("img", { name: "Your picture" })).toHaveCount(0);
});
