// Drives Debian's Chromium through a list of steps read as JSON from stdin, and prints what it
// saw as JSON on stdout: the Rust tests (tests/tests/e2e/browser.rs) decide the steps and judge the
// results, so that this file holds no assertions of its own.
//
// A step is one of:
//   {"goto": url}                       load a page (as a person opening a link)
//   {"click": selector}                 click, and wait for the page it loads (if any)
//   {"fill": [selector, text]}          type into a field
//   {"check": selector}                 tick a radio button or a box
//   {"waitFor": selector}               wait until the element is visible
//   {"axe": {"exclude": [selectors]}}   run axe-core on the page (WCAG 2.1 AA and best practice)
//   {"read": selector}                  the element's text
//   {"cookies": true}                   the browser's cookies for the page
//   {"evaluate": source}                run an expression in the page (a front-end's own code, as
//                                       an async arrow function's call); its value, as JSON
// Each result is {"step": i, "status"?, "url", ...}; a failing step ends the run with "error".

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const steps = JSON.parse(readFileSync(0, 'utf8'));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

// The flags keep Chromium off the network beyond loopback (this machine's network is closed:
// without them it tries Google's hosts at every start).
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const results = [];
let lastStatus = null;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('response', (r) => { if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) lastStatus = r.status(); });
  for (const [i, step] of steps.entries()) {
    const out = { step: i };
    try {
      if (step.goto) {
        const r = await page.goto(step.goto, { waitUntil: 'load' });
        out.status = r ? r.status() : null;
      } else if (step.click) {
        lastStatus = null;
        await Promise.all([
          page.waitForLoadState('load'),
          page.click(step.click),
        ]);
        await page.waitForLoadState('load');
        out.status = lastStatus;
      } else if (step.fill) {
        await page.fill(step.fill[0], step.fill[1]);
      } else if (step.check) {
        await page.check(step.check);
      } else if (step.waitFor) {
        await page.waitForSelector(step.waitFor, { state: 'visible', timeout: 30000 });
      } else if (step.axe) {
        // Evaluated through the DevTools protocol, which the pages' Content-Security-Policy
        // (GraphiQL's allows no inline script) does not apply to.
        await page.evaluate(axeSource);
        const exclude = (step.axe.exclude || []).map((s) => [s]);
        const report = await page.evaluate(async (exclude) => {
          const context = exclude.length ? { exclude } : document;
          const r = await window.axe.run(context, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          });
          return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map((n) => n.target.join(' ')) }));
        }, exclude);
        out.violations = report;
      } else if (step.read) {
        out.text = (await page.textContent(step.read)) ?? null;
      } else if (step.evaluate) {
        out.value = await page.evaluate(step.evaluate);
      } else if (step.cookies) {
        out.cookies = (await context.cookies()).map((c) => ({ name: c.name, value: c.value, httpOnly: c.httpOnly,
          secure: c.secure, sameSite: c.sameSite }));
      } else {
        throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
      out.url = page.url();
      results.push(out);
    } catch (e) {
      out.error = String(e && e.message ? e.message : e);
      out.url = page.url();
      results.push(out);
      break;
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
