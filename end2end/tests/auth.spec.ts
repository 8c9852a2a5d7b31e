import { expect, test } from "@playwright/test";
import { logOut, mailedLink, mailsTo, open, PASSWORD, ready, signUp, uniqueEmail } from "./helpers";

test("a new visitor signs up and lands on the dashboard", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Ann Lee", email);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const link of ["Dashboard", "Campaigns", "Books", "Account"]) {
    await expect(nav.getByRole("link", { name: link })).toBeVisible();
  }
});

test("signing up with an address that has an account looks the same; the email says so", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Eve", email);
  await logOut(page, testInfo);

  await open(page, "/signup", testInfo);
  await page.getByLabel("Your name").fill("Mallory");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("someone else's password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/signup\/sent$/);
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  expect(await mailedLink(email, /https?:\/\/[^\s"<]+\/login(?=[\s"<])/)).toMatch(/\/login$/);

  // Eve's password still works.
  await open(page, "/login", testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Eve" })).toBeVisible();
});

test("before confirming, a new account logs in and starts a campaign; inviting waits for the emailed link", async ({ page }, testInfo) => {
  test.setTimeout(60_000); // two sign-up emails travel by SMTP
  const email = uniqueEmail(testInfo);
  await open(page, "/signup", testInfo);
  await page.getByLabel("Your name").fill("Nora");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/signup\/sent$/);
  await expect(page.getByText("you can also log in now")).toBeVisible();

  await open(page, "/login", testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Nora" })).toBeVisible();
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Grandpa's Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const familyUrl = `${page.url()}/family`;

  const invite = async () => {
    await open(page, familyUrl, testInfo);
    await page.getByLabel("Their email").fill(`otto-${email}`);
    await page.getByRole("button", { name: "Send invitation" }).click();
  };
  await invite();
  await expect(page.getByRole("alert").filter({ hasText: "Please confirm your email address first" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Waiting to join" })).toHaveCount(0);

  await open(page, "/account", testInfo);
  const confirm = page.getByRole("region", { name: "Confirm your email address" });
  await confirm.getByRole("button", { name: "Email me the link again" }).click();
  await expect(confirm.getByRole("status")).toContainText("We sent a new link");
  await expect.poll(() => mailsTo(email).length, { timeout: 15_000 }).toBe(2);

  await open(page, await mailedLink(email, /https?:\/\/[^\s"<]+\/signup\/confirm\/[A-Za-z0-9_-]+/), testInfo);
  await page.getByRole("button", { name: "Finish signing up" }).click();
  await expect(page).toHaveURL(/\/(account|dashboard)$/);
  await ready(page, testInfo);
  await invite();
  await expect(page.getByRole("region", { name: "Waiting to join" }).getByText(`otto-${email}`, { exact: true })).toBeVisible();
  await open(page, "/account", testInfo);
  await expect(page.getByRole("region", { name: "Your email" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Confirm your email address" })).toHaveCount(0);
});

test("signing up with a short password is refused by the server", async ({ page }, testInfo) => {
  await open(page, "/signup", testInfo);
  await page.getByLabel("Your name").fill("Ann");
  await page.getByLabel("Email").fill(uniqueEmail(testInfo));
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Please use at least 10 characters.")).toBeVisible();
  await expect(page).toHaveURL(/\/signup/);
  await expect(page.getByLabel("Your name")).toHaveValue("Ann");
});

test("logging out and back in", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Ben", email);
  await logOut(page, testInfo);

  await open(page, "/login", testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Ben" })).toBeVisible();
});

test("a member page sends a logged-out visitor to log in and back", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Cara", email);
  await logOut(page, testInfo);

  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await ready(page, testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Your email" }).getByText(email)).toBeVisible();
});

test("a wrong password shows one generic message", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Dev", email);
  await logOut(page, testInfo);

  for (const [tried, password] of [[email, "not my password"], [uniqueEmail(testInfo), PASSWORD]]) {
    await open(page, "/login", testInfo);
    await page.getByLabel("Email").fill(tried);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert")).toHaveText(
      "That email and password don't match an account. Please try again.",
    );
    await expect(page).toHaveURL(/\/login/);
  }
});

test("an unknown address shows the friendly 404 page", async ({ page }, testInfo) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await ready(page, testInfo);
  await expect(page.getByRole("heading", { name: "We couldn't find that page" })).toBeVisible();
});

// Getting back in: a reset link from the email; the other browser that was signed in is
// signed out. With JavaScript on and off.
test("a forgotten password is reset from the email, and other sessions end", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Rosa", email);
  const other = await browser.newContext({ javaScriptEnabled: testInfo.project.name === "hydrated" });
  const elsewhere = await other.newPage();
  await elsewhere.goto("/login");
  await elsewhere.getByLabel("Email").fill(email);
  await elsewhere.getByLabel("Password").fill(PASSWORD);
  await elsewhere.getByRole("button", { name: "Log in" }).click();
  await expect(elsewhere).toHaveURL(/\/dashboard$/);

  await logOut(page, testInfo);
  await open(page, "/login", testInfo);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await ready(page, testInfo);
  await page.getByLabel("Your email").fill(email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await open(page, await mailedLink(email, /https?:\/\/[^\s"<]+\/login\/reset\/[A-Za-z0-9_-]+/), testInfo);
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Save and sign in" }).click();
  await expect(page.getByText("Please use at least 10 characters.")).toBeVisible();
  await page.getByLabel("New password").fill("my new and longer password");
  await page.getByRole("button", { name: "Save and sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Rosa" })).toBeVisible();

  await elsewhere.goto("/dashboard");
  await expect(elsewhere).toHaveURL(/\/login/);
  await other.close();
  await logOut(page, testInfo);
  await open(page, "/login", testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("my new and longer password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("signing in with an emailed link instead of a password", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  await signUp(page, testInfo, "Vera", email);
  await logOut(page, testInfo);
  await open(page, "/login", testInfo);
  await page.getByRole("link", { name: "Email me a link to sign in instead" }).click();
  await expect(page.getByRole("heading", { name: "Sign in with an email link" })).toBeVisible();
  await ready(page, testInfo);
  await page.getByLabel("Your email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const link = await mailedLink(email, /https?:\/\/[^\s"<]+\/login\/link\/[A-Za-z0-9_-]+/);
  await open(page, link, testInfo);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Vera" })).toBeVisible();
  // The link proved who this is: leaving needs no password now (WCAG 3.3.8).
  await open(page, "/account/delete", testInfo);
  await expect(page.getByText("You signed in with the link we emailed you a moment ago")).toBeVisible();
  await expect(page.getByLabel("Your password")).toHaveCount(0);
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/goodbye$/);
  // Used once: the same link again says so.
  await open(page, link, testInfo);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("This sign-in link has expired or was already used.")).toBeVisible();
});

test("changing the email is confirmed from the new address", async ({ page }, testInfo) => {
  const email = uniqueEmail(testInfo);
  const moved = `moved-${email}`;
  await signUp(page, testInfo, "Iris", email);
  await open(page, "/account", testInfo);
  const section = page.getByRole("region", { name: "Your email" });
  await section.getByLabel("New email").fill(moved);
  await section.getByLabel("Your current password").fill("not my password");
  await section.getByRole("button", { name: "Change email" }).click();
  await expect(section.getByText("That is not your current password.")).toBeVisible();
  await section.getByLabel("Your current password").fill(PASSWORD);
  await section.getByRole("button", { name: "Change email" }).click();
  await expect(section.getByText("We sent a link to the new address.")).toBeVisible();
  await open(page, await mailedLink(moved, /https?:\/\/[^\s"<]+\/account\/email\/[A-Za-z0-9_-]+/), testInfo);
  await page.getByRole("button", { name: "Use this address" }).click();
  await expect(page).toHaveURL(/\/account/);
  await expect(page.getByRole("region", { name: "Your email" }).getByText(moved)).toBeVisible();
});
