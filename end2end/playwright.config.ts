import { defineConfig } from "@playwright/test";

// Every test runs twice: hydrated (JavaScript on) and as plain server-rendered HTML.
// Browsers come from Debian (`chromium`): Playwright never downloads one here.
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    trace: "retain-on-failure",
  },
  projects: [
    { name: "hydrated", use: { ...chromium, javaScriptEnabled: true } },
    // axe runs inside the page, so it needs JavaScript; the HTML it checks is the same
    // server-rendered HTML the no-js project sees. *.hydrated.spec.ts test what only
    // exists with JavaScript (each has a tested plain-HTML alternative).
    {
      name: "no-js",
      use: { ...chromium, javaScriptEnabled: false },
      testIgnore: [/accessibility\.spec\.ts/, /\.hydrated\.spec\.ts/],
    },
  ],
});
