import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { mailsTo, open, ready, signUp, uniqueEmail } from "./helpers";

// The storyteller answers by replying to the question's email, with a photo from the phone:
// the test takes the question from the SMTP server's Maildir, writes the reply a mail
// program would, and delivers it as an inbound-mail service does (POST /inbound/email,
// with the secret scripts/test.sh gives the server).
test("a reply to the question email, with a photo, becomes the storyteller's story", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const storyteller = `robert-${uniqueEmail(testInfo)}`;
  await signUp(page, testInfo, "Olive", uniqueEmail(testInfo));
  await open(page, "/campaigns/new", testInfo);
  await page.getByLabel("Campaign title").fill("Dad's Life Stories");
  await page.getByLabel("Storyteller's name").fill("Robert");
  await page.getByLabel("Storyteller's email (optional)").fill(storyteller);
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaign = page.url();

  const question = "Where did you learn to swim?";
  await open(page, `${campaign}/questions`, testInfo);
  await page.getByLabel("Your question").fill(question);
  await page.getByRole("button", { name: "Add to the queue" }).click();
  await expect(page.getByRole("region", { name: "Up next" }).getByText(question)).toBeVisible();
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Send the next question now" }).click();
  await expect(page.getByRole("region", { name: "Asked and skipped" }).getByText(question)).toBeVisible();

  // The question email, as Robert's mail program sees it.
  let sent = "";
  await expect
    .poll(() => (sent = mailsTo(storyteller).find((m) => m.text.includes(question))?.text ?? ""), { timeout: 15_000 })
    .not.toBe("");
  expect(sent).toContain("simply reply to this email");
  const replyTo = sent.match(/^Reply-To:.*?(replies\+[0-9a-f]{52}@stories\.example\.org)/m)?.[1];
  const messageId = sent.match(/^Message-ID: (<[^>\s]+>)/im)?.[1];
  expect(replyTo, sent).toBeTruthy();
  expect(messageId, sent).toContain(replyTo!.slice("replies+".length, "replies+".length + 52));

  // The JPEG of the checked-in iPhone sample (big enough not to pass for a signature logo).
  const iphone = fs.readFileSync(path.join(__dirname, "..", "..", "tests", "mail", "iphone_photo_reply.eml"), "latin1");
  const photoBase64 = iphone.split("Content-Transfer-Encoding: base64")[1].split(/\r?\n\r?\n/)[1].replace(/\s+/g, "");
  const photo = Buffer.from(photoBase64, "base64");
  expect(photo.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  const boundary = "----=_Part_reply_0001";
  const reply = [
    `From: Robert <${storyteller}>`,
    `To: ${replyTo}`,
    `Subject: Re: ${question}`,
    `Message-ID: <reply-${Date.now()}@phone.example>`,
    `In-Reply-To: ${messageId}`,
    `References: ${messageId}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "In the river behind the mill, the summer I turned seven.",
    "",
    "Sent from my iPhone",
    "",
    `On Monday, Olive wrote:`,
    `> ${question}`,
    `--${boundary}`,
    'Content-Type: image/jpeg; name="IMG_0001.jpg"',
    'Content-Disposition: attachment; filename="IMG_0001.jpg"',
    "Content-Transfer-Encoding: base64",
    "",
    photo.toString("base64").replace(/.{76}/g, "$&\r\n"),
    `--${boundary}--`,
    "",
  ].join("\r\n");
  const delivered = await page.request.post("/inbound/email", {
    headers: { "x-inbound-secret": "e2e-inbound-secret", "content-type": "message/rfc822" },
    data: Buffer.from(reply),
  });
  expect(delivered.status()).toBe(200);
  expect(await delivered.json()).toEqual({ outcome: "answered" });
  const refused = await page.request.post("/inbound/email", { headers: { "content-type": "message/rfc822" }, data: Buffer.from(reply) });
  expect(refused.status()).toBe(401);

  // The family sees Robert's answer, with his photo.
  await open(page, `${campaign}/stories`, testInfo);
  await page.getByRole("link", { name: question }).click();
  await expect(page.getByRole("heading", { name: question })).toBeVisible();
  await expect(page.getByText("In the river behind the mill, the summer I turned seven.")).toBeVisible();
  await expect(page.getByText("Sent from my iPhone")).toHaveCount(0);
  await expect(page.getByRole("img", { name: `Photo from “${question}”` })).toBeVisible();

  // And Robert is thanked.
  await expect
    .poll(() => mailsTo(storyteller).some((m) => m.text.includes("Your family can read it now")), { timeout: 15_000 })
    .toBe(true);

  // A reply from an address that is neither Robert's nor a member's waits for the family.
  const stranger = reply
    .replace(`From: Robert <${storyteller}>`, "From: Someone <someone@elsewhere.example>")
    .replace(/Message-ID: <reply-/, "Message-ID: <stranger-")
    .replace("In the river behind the mill", "Buy cheap watches at the mill");
  const held = await page.request.post("/inbound/email", {
    headers: { "x-inbound-secret": "e2e-inbound-secret", "content-type": "message/rfc822" },
    data: Buffer.from(stranger),
  });
  expect(await held.json()).toEqual({ outcome: "held" });
  await open(page, `${campaign}/stories/${page.url().split("/stories/")[1]}`, testInfo);
  await expect(page.getByText("Buy cheap watches")).toHaveCount(0);
  await open(page, `${campaign}/questions`, testInfo);
  const waiting = page.getByRole("region", { name: "Emailed replies waiting for you" });
  const message = waiting.getByRole("article", { name: "Reply from Someone <someone@elsewhere.example>" });
  await expect(message.getByText("Buy cheap watches at the mill")).toBeVisible();
  await expect(message.getByText(`Answering: ${question}`)).toBeVisible();
  await ready(page, testInfo);
  if (testInfo.project.name === "hydrated") {
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  page.on("dialog", (dialog) => dialog.accept());
  await message.getByRole("button", { name: "Discard" }).click();
  await expect(waiting).toHaveCount(0);
});
