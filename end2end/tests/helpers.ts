import { expect, type Browser, type Page, type TestInfo } from "@playwright/test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const PASSWORD = "a long enough password";

/** A fresh address per test, so tests run in parallel without meeting. */
export function uniqueEmail(testInfo: TestInfo): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${testInfo.project.name}-${Date.now()}-${random}@example.com`;
}

/** Opens a page and, when JavaScript is on, waits until the app has hydrated. */
export async function open(page: Page, path: string, testInfo: TestInfo) {
  await page.goto(path);
  await ready(page, testInfo);
}

export async function ready(page: Page, testInfo: TestInfo) {
  if (testInfo.project.name === "hydrated") {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
}

/** The storyteller's page has no wasm: there, public/enhance.js having run is "ready". */
export async function enhanced(page: Page, testInfo: TestInfo) {
  if (testInfo.project.name === "hydrated") {
    await expect(page.locator("body")).toHaveAttribute("data-enhanced", "true");
  }
}

/**
 * Signs up as a new visitor does. On a server that sends email the form leads to "Check
 * your email" and the emailed link finishes it; without email it logs in at once.
 */
export async function signUp(page: Page, testInfo: TestInfo, name: string, email: string) {
  await open(page, "/signup", testInfo);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/(signup\/sent|dashboard)$/);
  if (page.url().endsWith("/signup/sent")) {
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await open(page, await mailedLink(email, /https?:\/\/[^\s"<]+\/signup\/confirm\/[A-Za-z0-9_-]+/), testInfo);
    await page.getByRole("button", { name: "Finish signing up" }).click();
  }
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
}

export async function logOut(page: Page, testInfo: TestInfo) {
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" })).toBeVisible();
}

/** A page in a new browser context (another person), with JavaScript as the project has it. */
export async function newPerson(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const { baseURL, javaScriptEnabled } = testInfo.project.use;
  return (await browser.newContext({ baseURL, javaScriptEnabled })).newPage();
}

/**
 * Makes the account `email` staff on the SMTP-backed server, as an operator does:
 * `mystoryflow user set-staff EMAIL` against the database in MSF_E2E_DATA_DIR.
 */
export function grantStaff(email: string) {
  const root = path.join(__dirname, "..", "..");
  const bin = path.join(root, "target", "debug", "mystoryflow");
  const dataDir = process.env.MSF_E2E_DATA_DIR ?? path.join(root, ".data", "e2e");
  // `db url` would make the folder: say so instead when it is not the running server's.
  if (!fs.existsSync(dataDir)) {
    throw new Error(`MSF_E2E_DATA_DIR=${dataDir} is not the data folder of the server under test`);
  }
  const env = { ...process.env, MSF_PG_DISPOSABLE: "1", RUST_LOG: "warn" };
  const lines = execFileSync(bin, ["db", "url", "--data-dir", dataDir], { env, encoding: "utf8" }).trim().split("\n");
  const url = lines[lines.length - 1].trim();
  execFileSync(bin, ["user", "set-staff", email], { env: { ...env, DATABASE_URL: url }, encoding: "utf8" });
}

/**
 * Every message to `email` so far, as text (quoted-printable decoded),
 * with its Subject header unfolded.
 */
export function mailsTo(email: string): { subject: string; text: string }[] {
  const folder =
    process.env.MSF_MAILDIR ?? process.env.MSF_OUTBOX ?? path.join(__dirname, "..", "..", ".data", "e2e", "outbox");
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .map((f) => fs.readFileSync(path.join(folder, f), "utf8"))
    .filter((m) => m.includes(`To: ${email}`))
    .map((m) => {
      const headers = m.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
      // Quoted-printable: soft line breaks joined, =XX bytes decoded (as UTF-8).
      const bytes = m.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
      return { subject: headers.match(/^Subject: (.*)$/m)?.[1].trim() ?? "", text: Buffer.from(bytes, "latin1").toString("utf8") };
    });
}

/**
 * The first link matching `pattern` in a message to `email`: from the SMTP server's Maildir
 * that scripts/test.sh runs (MSF_MAILDIR), else from the app's outbox folder (MSF_OUTBOX).
 */
export async function mailedLink(email: string, pattern: RegExp): Promise<string> {
  const folder =
    process.env.MSF_MAILDIR ?? process.env.MSF_OUTBOX ?? path.join(__dirname, "..", "..", ".data", "e2e", "outbox");
  let link = "";
  await expect
    .poll(
      () => {
        if (!fs.existsSync(folder)) return "";
        const found = fs
          .readdirSync(folder)
          .map((f) => fs.readFileSync(path.join(folder, f), "utf8").replace(/=\r?\n/g, ""))
          .filter((m) => m.includes(`To: ${email}`))
          .map((m) => m.match(pattern))
          .find(Boolean);
        link = found ? found[0] : "";
        return link;
      },
      { timeout: 15_000, message: `a link to ${email} in ${folder}` },
    )
    .not.toBe("");
  return link;
}

/** The invitation link from a message to `email`. */
export async function invitationLink(email: string): Promise<string> {
  return mailedLink(email, /https?:\/\/[^\s"<]+\/invitations\/[A-Za-z0-9_-]+/);
}

/** Signs up, starts a campaign and a story; leaves the page on the story's editor. */
export async function newStory(page: Page, testInfo: TestInfo, title: string) {
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

/**
 * Clicks "Make the print PDF" and follows the render to 100%: the page does it by itself
 * with JavaScript; without, the owner asks for the latest progress.
 */
export async function makePrintPdf(page: Page, testInfo: TestInfo) {
  await page.getByRole("button", { name: "Make the print PDF" }).click();
  const progress = page.getByRole("progressbar", { name: "Print PDF progress" });
  await expect(progress).toBeVisible();
  if (testInfo.project.name === "hydrated") {
    await expect(progress).toHaveAttribute("aria-valuenow", "100", { timeout: 60_000 });
  } else {
    const update = page.getByRole("button", { name: "Update progress" });
    await expect(async () => {
      if (await update.count()) await update.click();
      await expect(progress).toHaveAttribute("aria-valuenow", "100", { timeout: 500 });
    }).toPass({ timeout: 60_000 });
  }
  await expect(page.getByText("Done · 100%")).toBeVisible();
  await ready(page, testInfo);
}

/**
 * Waits for the order page that confirming an order leads to. When the server refused the
 * order instead, the failure says why (the form's alert), not only which address it stayed on.
 */
export async function expectOrderPage(page: Page) {
  const where = async () => {
    if (/\/orders\/[0-9a-f-]{36}$/.test(page.url())) return "the order page";
    const alerts = await page.getByRole("alert").allTextContents().catch(() => []);
    return `${page.url()} ${alerts.join(" | ")}`;
  };
  await expect.poll(where, { timeout: 20_000, message: "confirming the order leads to its page" }).toBe("the order page");
}
