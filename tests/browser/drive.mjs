// Opens a page in Debian's Chromium (headless, via playwright-core), waits
// until the page sets `window.__result`, prints it as JSON and exits 0 when
// it says `ok`. Usage: node drive.mjs <url> [screenshot.png]
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let result;
try {
  const page = await browser.newPage();
  page.on("console", (message) => console.error(`page: ${message.text()}`));
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
  result = await page.evaluate(() => window.__result);
  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: true });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result && result.ok ? 0 : 1);
