// The download page in headless Chromium (Debian's, driven by puppeteer-core): axe-core's
// WCAG 2.0/2.1 A and AA rules at each width, the keyboard path (every Tab stop, in order, with
// its focus indicator), and the accessible name Chromium computes for every link.
// Usage: node audit.mjs PAGE.html [CHROMIUM] > result.json
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [pagePath, chromium = "/usr/bin/chromium"] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "brochures-chromium-"));
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  userDataDir: profile,
  args: [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
  ],
});
const result = {};
try {
  for (const width of [1280, 390]) {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    await page.goto(pathToFileURL(pagePath).href, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const axe = await page.evaluate(() =>
      window.axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      }),
    );
    const violations = axe.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
    const focused = [];
    for (let i = 0; i < 500; i++) {
      await page.keyboard.press("Tab");
      const stop = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body || el === document.documentElement) return null;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
          tag: el.tagName.toLowerCase(),
          href: el.getAttribute("href"),
          index: [...document.querySelectorAll("*")].indexOf(el),
          indicator: (style.outlineStyle !== "none" && style.outlineWidth !== "0px")
            || style.boxShadow !== "none",
          visible: box.bottom > 0 && box.top < innerHeight && box.width > 0 && box.height > 0,
        };
      });
      if (stop === null) {
        if (focused.length) break; // past the last stop: out of the page (no keyboard trap)
        continue;
      }
      if (focused.length && stop.index === focused[0].index) break; // wrapped around
      focused.push(stop);
    }
    const links = [];
    for (const handle of await page.$$("a[href]")) {
      const node = await page.accessibility.snapshot({ root: handle, interestingOnly: false });
      const href = await handle.evaluate((a) => a.getAttribute("href"));
      links.push({ href, role: node?.role, name: node?.name ?? "" });
    }
    result[width] = { violations, passes: axe.passes.length, focused, links };
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
