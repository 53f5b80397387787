// The status page in a real browser: Debian's chromium, driven by playwright-core, against
// the demo Worker under `wrangler dev` with the usage-API simulator beside it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";

const TOKEN = "demo-admin-token"; // examples/demo/wrangler.jsonc
const port = Number(process.env.EDGEFUSE_BROWSER_PORT ?? 8797);
const SCREENSHOT = "build/artifacts/dashboard.png";

test("the dashboard shows what status.json says, and trips a resource from the page", async (t) => {
  const { base, stop } = await startWranglerDev({
    config: ["examples/demo/wrangler.jsonc", "wrangler/simulator.jsonc"],
    port,
    persistTo: mkdtempSync(join(tmpdir(), "edgefuse-browser-")), // no breakers left from earlier runs
  });
  t.after(stop);
  const post = (path, body) => fetch(`${base}${path}`, { method: "POST", body: JSON.stringify(body) });
  await post("/__sim/reset", {});
  await post("/__sim/usage", [
    { resource: "kv-writes", units: 870 },
    { resource: "d1-rows-read", units: 1_250_000 },
  ]);
  const statusJson = async () =>
    (await fetch(`${base}/__edgefuse/status.json`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  const before = await statusJson();

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  t.after(() => browser.close());
  const context = await browser.newContext({ httpCredentials: { username: "admin", password: TOKEN }, viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  const response = await page.goto(`${base}/__edgefuse`);
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), "edgefuse status");

  // Every row's numbers, as shown, match status.json.
  for (const key of ["kv-writes", "d1-rows-read"]) {
    const expected = before.resources.find((row) => row.key === key);
    const row = page.locator(`tr[data-key="${key}"]`);
    assert.equal(Number(await row.getAttribute("data-used")), expected.used);
    assert.equal(Number(await row.getAttribute("data-quota")), expected.quota);
    assert.equal(await row.locator(".used").textContent(), Math.round(expected.used).toLocaleString("en-US"));
    assert.equal(await row.locator(".percent").textContent(), `${expected.percent.toFixed(1)}%`);
  }
  assert.equal(await page.locator('tr[data-key="kv-writes"] .badge').textContent(), "warn");

  // Trip r2-class-a with the page's own form, and see it reported as tripped.
  await page.locator('tr[data-key="r2-class-a"] button.trip').click();
  await page.waitForURL(`${base}/__edgefuse`);
  assert.equal(await page.locator('tr[data-key="r2-class-a"]').getAttribute("data-tripped"), "true");
  assert.match(await page.locator('tr[data-key="r2-class-a"] .badge').textContent(), /tripped \(manual\)/);
  assert.ok(await page.locator('li[data-breaker="r2-class-a"]').isVisible());
  const after = await statusJson();
  assert.equal(after.breakers["r2-class-a"].source, "manual");

  mkdirSync("build/artifacts", { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`screenshot: ${SCREENSHOT}`);

  // On a phone: the same page, one column.
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 400, `the page is ${width}px wide on a 390px screen`);
  await page.screenshot({ path: "build/artifacts/dashboard-phone.png", fullPage: true });
});
