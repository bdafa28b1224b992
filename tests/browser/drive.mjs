// Opens a page in Debian's Chromium (headless, via playwright-core), waits
// until the page sets `window.__result`, prints it as JSON and exits 0 when
// it says `ok`. Usage: node drive.mjs <url> [screenshot.png]
import { launch } from "./launch.mjs";

const [url, screenshot] = process.argv.slice(2);
const browser = await launch();
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
