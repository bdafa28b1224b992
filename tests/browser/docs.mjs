// Renders the server's /docs pages in Debian's Chromium with every request
// off 127.0.0.1 refused (so they must work offline), and prints what they
// show: {rest: <operations Swagger UI lists>, realtime: <command rows>}.
// Usage: node docs.mjs <server> [screenshots folder]
import { launch } from "./launch.mjs";

const [server, shots] = process.argv.slice(2);
const browser = await launch();
const result = { ok: false, offsite: [] };
try {
  const page = await browser.newPage();
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    result.offsite.push(url.href);
    return route.abort();
  });
  await page.goto(`${server}/docs`);
  await page.getByRole("link", { name: "REST API" }).click();
  await page.waitForSelector(".opblock-summary", { timeout: 20_000 });
  result.rest = await page.locator(".opblock-summary").count();
  if (shots) await page.screenshot({ path: `${shots}/docs-rest.png` });
  await page.goto(`${server}/docs/realtime`);
  result.realtime = await page.locator("#commands + table tr").count() - 1;
  result.events = await page.locator("#events + table tr").count() - 1;
  if (shots) await page.screenshot({ path: `${shots}/docs-realtime.png`, fullPage: false });
  result.ok = result.offsite.length === 0;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
