// Measures what the browser has to fetch and how soon a page is interactive:
//   node scripts/measure-frontend.mjs <base-url> <site-root>
// Prints the wasm and JS sizes (raw, gzip, brotli), the HTML weight of a few pages, and
// the median time from navigation start until <html data-hydrated> appears in Chromium.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { chromium } from "playwright-core";

const [base = "http://127.0.0.1:3000", site = "target/site"] = process.argv.slice(2);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

const pkg = join(site, "pkg");
for (const file of readdirSync(pkg).filter((f) => /\.(wasm|js|css)$/.test(f))) {
  const s = sizes(readFileSync(join(pkg, file)));
  console.log(`${file.replace(/\.[A-Za-z0-9_-]{22}\./, ".")}: raw ${kib(s.raw)}, gzip ${kib(s.gzip)}, brotli ${kib(s.brotli)}`);
}

const pages = ["/", "/status", "/design"];
for (const path of pages) {
  const html = Buffer.from(await (await fetch(base + path)).text());
  const s = sizes(html);
  console.log(`HTML ${path}: raw ${kib(s.raw)}, brotli ${kib(s.brotli)}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const runs = Number(process.env.RUNS ?? 15);
for (const path of pages) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    // A fresh context each time: nothing cached, like a first visit.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base + path);
    await page.waitForSelector("html[data-hydrated]");
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`interactive ${path}: median ${times[runs >> 1].toFixed(0)} ms, min ${times[0].toFixed(0)} ms (${runs} cold loads)`);
}
await browser.close();
