// render_report.mjs REPORT.HTML SCREENSHOT.PNG CHART...
// Renders report.html in Debian's Chromium (no network) and checks that each
// named chart (svg[data-chart]) is drawn: visible, with at least one bar of
// non-zero width or height.  Prints the charts and their bar counts; exits
// non-zero when one is missing or empty, or the page asked for anything
// from the network.
import { chromium } from 'playwright-core';

const [page_path, png, ...want] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
let status = 0;
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 1200 } });
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await page.goto(`file://${page_path}`);
  const charts = await page.$$eval('svg[data-chart]', (svgs) => svgs.map((s) => {
    const box = s.getBoundingClientRect();
    const bars = [...s.querySelectorAll('rect.bar')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.width > 0 && b.height > 0;
    });
    return { name: s.dataset.chart, visible: box.width > 0 && box.height > 0, bars: bars.length };
  }));
  await page.screenshot({ path: png, fullPage: true });
  for (const c of charts) console.log(`${c.name}: ${c.bars} bars${c.visible ? '' : ' (not visible)'}`);
  for (const name of want) {
    const c = charts.find((x) => x.name === name);
    if (!c || !c.visible || c.bars === 0) {
      console.error(`render_report: chart '${name}' is ${c ? 'empty or hidden' : 'missing'}`);
      status = 1;
    }
  }
  if (requests.length) {
    console.error(`render_report: the page requested ${requests.join(', ')}`);
    status = 1;
  }
} finally {
  await browser.close();
}
process.exit(status);
