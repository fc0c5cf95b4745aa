/**
 * The HTML report in a real browser, driven by playwright-core (which never downloads a browser):
 * the system's chromium when it is on PATH, else the headless Chromium inside the npm package
 * @sparticuz/chromium (tests/helpers/browser.ts). The test's name says which one ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readRecords } from '../../lib/records/reader.ts';
import { renderHtml } from '../../lib/report/html.ts';
import { findChromium } from '../helpers/browser.ts';

/** The little of the DOM the page script below uses (the project compiles without lib "dom"). */
interface El {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number; left: number; right: number };
  querySelectorAll(selector: string): ArrayLike<El>;
  textContent: string | null;
}
declare const document: { querySelectorAll(selector: string): ArrayLike<El> };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = await findChromium();

test(`the capacity report opens in headless Chromium with all four charts drawn from data, offline [${CHROMIUM.label}]`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'busbench-html-'));
  try {
    // A small real sweep (6 scales, so the USL is fitted), written as JSONL + HTML by the command.
    const out = join(dir, 'cap.jsonl');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'busbench.js'), 'capacity', '--scales', '1,2,3,4,5,6', '--runs', '2', '--iterations', '20', '--warmup', '0', '--workers', '1', '--cell-messages', '150', '--predict', '20', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
    assert.equal(run.status, 0, run.stderr);
    const htmlFile = join(dir, 'cap.html');
    assert.ok(existsSync(htmlFile), 'the command writes the HTML beside the JSONL');
    // renderHtml is a pure function of the records: rendering the JSONL again gives the same page.
    const records = await readRecords(out);
    const again = renderHtml(records);
    assert.equal(again, readFileSync(htmlFile, 'utf8'), 'the page rendered from the JSONL is the page the command wrote, byte for byte');
    writeFileSync(join(dir, 'again.html'), again);

    const browser = await chromium.launch({ executablePath: CHROMIUM.executablePath, headless: true, args: CHROMIUM.args });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(htmlFile).href);
      const charts = await page.evaluate(() =>
        Array.from(document.querySelectorAll('svg[data-chart]')).map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            id: svg.getAttribute('data-chart'),
            width: box.width,
            height: box.height,
            points: svg.querySelectorAll('circle.point').length,
            models: svg.querySelectorAll('path.model').length,
            bars: svg.querySelectorAll('rect.bar').length,
            whiskers: svg.querySelectorAll('path.whisker').length,
            axisLabels: Array.from(svg.querySelectorAll('text.axis-label')).map((t) => t.textContent ?? ''),
            visiblePoints: Array.from(svg.querySelectorAll('circle.point, rect.bar')).filter((e) => {
              const b = e.getBoundingClientRect();
              return b.width > 0 && b.height > 0 && b.left >= box.left - 1 && b.right <= box.right + 1;
            }).length,
          };
        }),
      );
      const chart = (id: string) => {
        const c = charts.find((x) => x.id === id);
        assert.ok(c, `chart ${id} is on the page (found ${charts.map((x) => x.id).join(', ')})`);
        assert.ok(c.width > 300 && c.height > 200, `${id} is drawn at a readable size`);
        assert.equal(c.axisLabels.length, 2, `${id} has both axes labelled`);
        return c;
      };
      // 1. latency: p50 and p95 of 2 configs at 6 scales, in ms
      const lat = chart('latency');
      assert.equal(lat.points, 24);
      assert.equal(lat.visiblePoints, 24);
      assert.match(lat.axisLabels.join(' '), /agents.*ms/);
      // 2. throughput: 2 configs × 6 measured points and a fitted USL curve for each
      const tp = chart('throughput');
      assert.equal(tp.points, 12);
      assert.equal(tp.models, 2);
      assert.match(tp.axisLabels.join(' '), /messages delivered per second/);
      // 3. overhead: a bar with its interval for full_integration at each scale, send and receive
      for (const id of ['overhead-send', 'overhead-receive']) {
        const o = chart(id);
        assert.equal(o.bars, 6);
        assert.equal(o.whiskers, 6);
        assert.equal(o.visiblePoints, 6);
        assert.match(o.axisLabels.join(' '), /%/);
      }
      // 4. resources vs agents: CPU, RSS, tmpfs, each config at each scale
      for (const id of ['resources-cpu', 'resources-rss', 'resources-tmpfs']) assert.equal(chart(id).points, 12, id);

      assert.deepEqual(
        requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
        [],
        'the page loads nothing from the network',
      );
      // The screenshot proves the page renders to pixels; it goes with the test's directory.
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(existsSync(shot));

      // And as the browser shows them: the same text and the same chart data, element for element.
      const view = () =>
        Array.from(document.querySelectorAll('h1, h2, h3, p, th, td, svg[data-chart] circle.point, svg[data-chart] rect.bar, svg[data-chart] text')).map(
          (e) => `${e.getAttribute('data-series') ?? ''}|${e.getAttribute('data-x') ?? ''}|${e.getAttribute('data-y') ?? ''}|${(e.textContent ?? '').trim()}`,
        );
      const shown = await page.evaluate(view);
      const reopened = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      await reopened.goto(pathToFileURL(join(dir, 'again.html')).href);
      const shownAgain = await reopened.evaluate(view);
      assert.ok(shown.some((x) => x.startsWith('|||') && x.length > 3) && shown.some((x) => /\|\d/.test(x)), 'texts and data points were read');
      assert.deepEqual(shownAgain, shown);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
