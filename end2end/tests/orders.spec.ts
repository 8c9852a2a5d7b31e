import { expect, test, type Page, type TestInfo } from "@playwright/test";
import {
  expectOrderPage,
  grantStaff,
  mailsTo,
  makePrintPdf,
  newPerson,
  newStory,
  open,
  ready,
  signUp,
  uniqueEmail,
} from "./helpers";

// Ordering printed books (issue #17). These tests read the emails in the SMTP sink, so they
// run against the SMTP-backed server (BASE_URL), as scripts/test.sh sets it up.

const hydrated = (testInfo: TestInfo) => testInfo.project.name === "hydrated";

/**
 * Signs up as `email`, writes and finishes one story and makes a book of it with `binding`:
 * typeset, proofread and marked ready to order. Leaves the page on the book designer.
 */
async function readyBook(page: Page, testInfo: TestInfo, email: string, title: string, binding: "Paperback" | "Hardcover") {
  await signUp(page, testInfo, "Olive", email);
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Life Stories");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();
  await open(page, `${campaign}/stories/new`, testInfo);
  await page.getByLabel("Title", { exact: true }).fill("The farm");
  await page.getByRole("button", { name: "Start writing" }).click();
  await expect(page).toHaveURL(/\/stories\/[0-9a-f-]{36}\/edit$/);
  await ready(page, testInfo);
  const editor = page.url();
  await page.getByLabel("Story", { exact: true }).fill("We had cows and a very old tractor that Dad called Bess.");
  if (hydrated(testInfo)) {
    await expect(page.getByRole("status").filter({ hasText: /^Saved \d\d:\d\d$/ })).toBeVisible();
  } else {
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page).toHaveURL(/\/stories\/[0-9a-f-]{36}$/);
  }
  await open(page, editor.replace(/\/edit$/, ""), testInfo);
  await page.getByRole("button", { name: "Mark as completed" }).click();
  await ready(page, testInfo);
  await expect(page.getByText("This story is Completed.")).toBeVisible();

  await open(page, `${campaign}/books`, testInfo);
  await page.getByLabel("Book title").fill(title);
  await page.getByRole("button", { name: "Create book" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await ready(page, testInfo);
  if (binding === "Hardcover") {
    // The cover is made for the binding: choose it before typesetting.
    await page.getByLabel("Binding", { exact: true }).selectOption({ label: binding });
    await page.getByRole("button", { name: "Save details" }).click();
    await ready(page, testInfo);
    await expect(page.getByLabel("Binding", { exact: true })).toHaveValue("hardcover");
  }
  await makePrintPdf(page, testInfo);
  await page.getByLabel("I have proofread every page").check();
  await page.getByRole("button", { name: "Mark ready to order" }).click();
  await ready(page, testInfo);
  await expect(page.getByText("This book is ready to order.")).toBeVisible();
}

/** Fills the order form's address with a valid one in Springfield, Illinois. */
async function fillAddress(page: Page) {
  await page.getByLabel("Recipient's name", { exact: true }).fill("Ann Miller");
  await page.getByLabel("Street address", { exact: true }).fill("1 Mill Lane");
  await page.getByLabel("Town or city", { exact: true }).fill("Springfield");
  await page.getByLabel("State, province or region", { exact: true }).fill("IL");
  await page.getByLabel("Postal code", { exact: true }).fill("62701");
  await page.getByLabel("Country", { exact: true }).selectOption({ label: "United States of America" });
  await page.getByLabel("Phone", { exact: true }).fill("+1 555 123 4567");
}

/** Cents as the price table shows them: $12.08. */
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** The order number from the order page's heading. */
async function orderNumber(page: Page): Promise<string> {
  const heading = page.getByRole("heading", { level: 1, name: /^Order MSF-[0-9A-Z]{4}-[0-9A-Z]{4}$/ });
  await expect(heading).toBeVisible();
  return (await heading.textContent())!.replace(/^Order /, "");
}

test("an owner orders two hardcover copies, a double click makes one order, staff ship it and the owner follows it", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000); // a book typeset, ten forms, two people
  const owner = uniqueEmail(testInfo);
  const title = "The Miller Family Book";
  await readyBook(page, testInfo, owner, title, "Hardcover");
  const designer = page.url();

  // Only staff see the order console: anyone else gets "not found".
  await open(page, "/admin/orders", testInfo);
  await expect(page.getByRole("heading", { name: "We couldn't find that page." })).toBeVisible();

  // The order page starts from the book's own binding; the price comes from the server.
  await open(page, designer, testInfo);
  await page.getByRole("link", { name: "Order printed copies" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Order printed copies" })).toBeVisible();
  await ready(page, testInfo);
  const summary = await page.getByText(/^“The Miller Family Book”, \d+ pages, printed from the PDF you checked\.$/).textContent();
  const pages = Number(summary!.match(/, (\d+) pages,/)![1]);
  expect(pages).toBeGreaterThanOrEqual(24);
  await expect(page.getByLabel("Binding", { exact: true })).toHaveValue("hardcover");
  await page.getByLabel("Binding", { exact: true }).selectOption({ label: "Hardcover" });
  await page.getByLabel("Inside pages", { exact: true }).selectOption({ label: "Standard colour" });
  await page.getByLabel("Copies", { exact: true }).fill("2");
  await fillAddress(page);
  await page.getByLabel("Shipping", { exact: true }).selectOption({ label: "Ground (tracked)" });
  await page.getByRole("button", { name: "See the price" }).click();
  const price = page.getByRole("region", { name: "Price" });
  await expect(price).toBeVisible();
  await ready(page, testInfo);

  // Default price table: hardcover $11.00 + $0.045 a colour page, rounded once a copy;
  // ground shipping in the US $8.99 and $1.50 for each further copy.
  const unit = Math.round(1100 + 4.5 * pages);
  const total = 2 * unit + 899 + 150;
  const rows = price.getByRole("row");
  await expect(rows).toHaveText([
    `Printing: 2 × ${dollars(unit)}${dollars(2 * unit)}`,
    `Shipping (Ground to United States of America)${dollars(1049)}`,
    `Total${dollars(total)}`,
  ]);
  await expect(price.getByRole("cell", { name: dollars(2 * unit), exact: true })).toBeVisible();

  // The confirm form as the browser would post it again (a refresh that resends, a retry).
  const confirm = price.locator("form");
  const action = (await confirm.getAttribute("action"))!;
  const fields: Record<string, string> = {};
  for (const input of await confirm.locator('input[type="hidden"]').all()) {
    fields[(await input.getAttribute("name"))!] = (await input.getAttribute("value")) ?? "";
  }
  expect(fields.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);

  // Two quick clicks on "Confirm" make one order. (JavaScript off, Chromium sends the
  // second submission in place of the first: the post below is the real second one.)
  await price.getByRole("button", { name: `Confirm order, ${dollars(total)}` }).dblclick();
  await expectOrderPage(page);
  const again = await page.request.post(action, { form: fields, headers: { Accept: "text/html" }, maxRedirects: 0 });
  expect(again.status(), await again.text()).toBeGreaterThanOrEqual(300);
  expect(again.status()).toBeLessThan(400);
  expect(new URL(again.headers()["location"], page.url()).pathname).toBe(new URL(page.url()).pathname);
  const number = await orderNumber(page);
  await ready(page, testInfo);
  const orderUrl = page.url();
  await expect(page.getByText("Status: Received")).toBeVisible();
  await expect(page.getByText("Hardcover, standard colour pages, standard 60# paper, matte cover")).toBeVisible();
  await expect(page.getByText("Ann Miller, 1 Mill Lane, Springfield, IL, 62701, United States of America")).toBeVisible();

  await open(page, "/orders", testInfo);
  const orders = page.getByRole("table").getByRole("row").filter({ hasText: title });
  await expect(orders).toHaveCount(1);
  await expect(orders.getByRole("cell")).toHaveText([number, title, "2", "Received", dollars(total), /^\d{1,2} \w{3} \d{4}$/]);

  // A staff member (made staff by an operator) moves it along, step by step.
  const staffEmail = `staff-${uniqueEmail(testInfo)}`;
  const staff = await newPerson(browser, testInfo);
  await signUp(staff, testInfo, "Sam", staffEmail);
  grantStaff(staffEmail);
  await open(staff, "/admin/orders", testInfo);
  await expect(staff.getByRole("heading", { level: 1, name: "Orders to fulfil" })).toBeVisible();
  await staff.getByRole("link", { name: number, exact: true }).click();
  await expect(staff.getByRole("heading", { level: 1, name: `Order ${number}` })).toBeVisible();
  await ready(staff, testInfo);
  await expect(staff.getByText(owner, { exact: true })).toBeVisible();
  const fulfilment = staff.getByRole("region", { name: "Fulfilment" });
  for (const [step, status] of [
    ["Mark as being prepared for print", "Being prepared for print"],
    ["Mark as printed", "Printed"],
  ]) {
    await fulfilment.getByRole("button", { name: step }).click();
    await expect(staff.getByText(`Status: ${status}`, { exact: true })).toBeVisible();
    await ready(staff, testInfo);
  }
  // Shipping needs the tracking number.
  await fulfilment.getByRole("button", { name: "Mark as shipped" }).click();
  await ready(staff, testInfo);
  const tracking = fulfilment.getByLabel("Tracking number", { exact: true });
  await expect(tracking).toHaveAccessibleDescription("Please enter the tracking number.");
  await expect(staff.getByText("Status: Printed", { exact: true })).toBeVisible();
  await tracking.fill("1Z999AA10123456784");
  await fulfilment.getByLabel("Carrier", { exact: true }).fill("UPS");
  await fulfilment.getByLabel("Tracking address", { exact: true }).fill("https://www.ups.com/track?tracknum=1Z999AA10123456784");
  await fulfilment.getByLabel("Expected delivery", { exact: true }).fill("2030-12-24");
  await fulfilment.getByRole("button", { name: "Mark as shipped" }).click();
  await expect(staff.getByText("Status: Shipped", { exact: true })).toBeVisible();
  await ready(staff, testInfo);
  await expect(fulfilment.getByRole("button", { name: "Mark as delivered" })).toBeVisible();
  await staff.context().close();

  // The owner sees the tracking link and the timeline.
  await open(page, orderUrl, testInfo);
  await expect(page.getByText("Status: Shipped", { exact: true })).toBeVisible();
  await expect(page.getByText("Tracking number (UPS): 1Z999AA10123456784")).toBeVisible();
  await expect(page.getByRole("link", { name: "Track the parcel" })).toHaveAttribute(
    "href",
    "https://www.ups.com/track?tracknum=1Z999AA10123456784",
  );
  await expect(page.getByText("Expected by Tuesday 24 December 2030.")).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline" }).getByRole("listitem")).toHaveText([
    /· Received · You$/,
    /· Being prepared for print · MyStoryFlow staff$/,
    /· Printed · MyStoryFlow staff$/,
    /· Shipped · MyStoryFlow staff$/,
  ]);
  await expect(page.getByRole("button", { name: "Cancel this order" })).toHaveCount(0);

  // Every step was emailed to the owner (one confirmation: one order).
  await expect
    .poll(() => mailsTo(owner).map((m) => m.subject).filter((s) => s.startsWith("Order ")).sort(), {
      timeout: 20_000,
      message: `the order's emails to ${owner}`,
    })
    .toEqual([
      `Order ${number} received: ${title}`,
      `Order ${number}: being prepared for print`,
      `Order ${number}: printed`,
      `Order ${number}: shipped`,
    ]);
  const shipped = mailsTo(owner).find((m) => m.subject === `Order ${number}: shipped`)!;
  expect(shipped.text).toContain("Tracking number (UPS): 1Z999AA10123456784");
  expect(shipped.text).toContain("Track the parcel: https://www.ups.com/track?tracknum=1Z999AA10123456784");
  const received = mailsTo(owner).find((m) => m.subject.startsWith(`Order ${number} received`))!;
  expect(received.text).toContain(`Total ${dollars(total)}.`);
});

test("a wrong field is marked beside it and orders nothing; the owner cancels an order while it is pending", async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const owner = uniqueEmail(testInfo);
  const title = "Stories from the Farm";
  await readyBook(page, testInfo, owner, title, "Paperback");
  await page.getByRole("link", { name: "Order printed copies" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Order printed copies" })).toBeVisible();
  await ready(page, testInfo);

  // No copies and no postal code: each field says what is wrong, and nothing is priced.
  await page.getByLabel("Copies", { exact: true }).fill("0");
  await fillAddress(page);
  await page.getByLabel("Postal code", { exact: true }).fill("");
  await page.getByRole("button", { name: "See the price" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please correct the highlighted fields." })).toBeVisible();
  await ready(page, testInfo);
  const postal = page.getByLabel("Postal code", { exact: true });
  await expect(postal).toHaveAttribute("aria-invalid", "true");
  await expect(postal).toHaveAccessibleDescription("Please enter the postal code.");
  await expect(page.locator("#order-postal-code-error")).toHaveText("Please enter the postal code.");
  const copies = page.getByLabel("Copies", { exact: true });
  await expect(copies).toHaveAttribute("aria-invalid", "true");
  await expect(copies).toHaveAccessibleDescription("1 to 100. Please order between 1 and 100 copies.");
  await expect(page.getByLabel("Town or city", { exact: true })).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Recipient's name", { exact: true })).toHaveValue("Ann Miller");
  await expect(page.getByRole("region", { name: "Price" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Confirm order/ })).toHaveCount(0);
  const form = page.url();
  await open(page, "/orders", testInfo);
  await expect(page.getByText("No printed books ordered yet.", { exact: false })).toBeVisible();

  // Corrected, priced and confirmed.
  await open(page, form, testInfo);
  await page.getByLabel("Copies", { exact: true }).fill("1");
  await page.getByLabel("Postal code", { exact: true }).fill("62701");
  await page.getByRole("button", { name: "See the price" }).click();
  const price = page.getByRole("region", { name: "Price" });
  await expect(price).toBeVisible();
  await ready(page, testInfo);
  await expect(price.getByRole("row").first()).toHaveText(/^Printing: 1 × \$\d+\.\d\d/);
  await price.getByRole("button", { name: /^Confirm order, \$\d+\.\d\d$/ }).click();
  await expectOrderPage(page);
  const number = await orderNumber(page);
  await ready(page, testInfo);
  await expect(page.getByText("Status: Received", { exact: true })).toBeVisible();

  // While it is pending, the owner may cancel it.
  await page.getByRole("button", { name: "Cancel this order" }).click();
  await expect(page.getByText("Status: Cancelled", { exact: true })).toBeVisible();
  await ready(page, testInfo);
  await expect(page.getByRole("button", { name: "Cancel this order" })).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Timeline" }).getByRole("listitem")).toHaveText([
    /· Received · You$/,
    /· Cancelled · You\s*Cancelled by the person who ordered it\.$/,
  ]);
  await expect
    .poll(() => mailsTo(owner).map((m) => m.subject).filter((s) => s.startsWith("Order ")).sort(), { timeout: 20_000 })
    .toEqual([`Order ${number} received: ${title}`, `Order ${number}: cancelled`]);

  await open(page, "/orders", testInfo);
  await expect(page.getByRole("table").getByRole("row").filter({ hasText: number }).getByRole("cell").nth(3)).toHaveText(
    "Cancelled",
  );

  // "Order again" starts from the same choices and address.
  await page.getByRole("link", { name: number, exact: true }).click();
  await ready(page, testInfo);
  await page.getByRole("link", { name: "Order again" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Order printed copies" })).toBeVisible();
  await ready(page, testInfo);
  await expect(page.getByLabel("Copies", { exact: true })).toHaveValue("1");
  await expect(page.getByLabel("Street address", { exact: true })).toHaveValue("1 Mill Lane");
  await expect(page.getByLabel("Country", { exact: true })).toHaveValue("US");
});
