// Reports (issue 13): `quant-backtest/report`'s reportDocument equals Python's report_document
// for the same runs (tests/js/fixtures/report_documents.py, the repo's .venv), field for field;
// report() inlines the chart component, lightweight-charts and the document, and nothing in
// the document can close its <script>; saveReport writes it; bad input is refused by name.
// Chromium draws the saved files: tests/browser/report.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { BacktestError, MarketData, RustEngine, generateSampleData, generateSampleUniverse, indicators, strategy as qs } from 'quant-backtest';
import { FORMAT, report, reportDocument, saveReport } from 'quant-backtest/report';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const REPO = resolve(GOLDEN_DIR, '..', '..');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
const FIXTURE = join(REPO, 'tests', 'js', 'fixtures', 'report_documents.py');
const PACKAGE = dirname(createRequire(import.meta.url).resolve('quant-backtest/package.json'));
const PARAMS = { fast: [5, 10, 15, 20, 25], slow: [30, 40, 50, 60, 70, 80] };

const engine = new RustEngine();
const md = generateSampleData('DEMO', 600, 100, { seed: 3 });

/** The same runs as report_documents.py's documents(), in JS. */
async function jsDocuments() {
  const fast = qs.sma(10);
  const slow = qs.sma(30);
  const both = new qs.Strategy({ entry: fast.crossesAbove(slow), shortEntry: fast.crossesBelow(slow), direction: 'both', stopLoss: 0.05 });
  const run = engine.runBacktest(md, both);
  const columns = await engine.sweep(md, qs.smaCross(), PARAMS);
  const { result: best } = await engine.optimize(md, qs.smaCross(), PARAMS, { maximize: 'totalReturn' });
  const universe = generateSampleUniverse(4, 400, 1);
  const portfolio = engine.runPortfolio(universe, qs.smaCross(10, 30), { maxPositions: 2 });
  const walk = await engine.walkForward(md, qs.smaCross(), PARAMS, { train: 200, test: 100 });
  const dip = new qs.Strategy({
    entry: qs.rsi(14).lt(40).and(qs.close.lt(qs.bbands(20, 2.0).lower)),
    exit: qs.macd(12, 26, 9).hist.gt(0).or(qs.close.gt(qs.highest(20, { source: qs.high }))),
    stopLoss: 0.05,
  });
  return {
    indicators: reportDocument(engine.runBacktest(md, dip)),
    seed: reportDocument(engine.runSmaBacktest(md, 10, 30)),
    backtest: reportDocument(run, { data: md, strategy: both }),
    sweep: reportDocument(columns, { data: md, best, maximize: 'totalReturn' }),
    portfolio: reportDocument(portfolio, { data: universe }),
    walk_forward: reportDocument(walk, { data: md, title: 'walk' }),
  };
}

/** A document without what names its maker. @param {any} doc */
const comparable = (doc) => ({ ...JSON.parse(JSON.stringify(doc)), generator: null });

test('reportDocument equals Python report_document for a run of each kind, field for field', async () => {
  const python = JSON.parse(execFileSync(PYTHON, [FIXTURE], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const js = await jsDocuments();
  for (const kind of /** @type {const} */ (['backtest', 'sweep', 'portfolio', 'walk_forward', 'indicators', 'seed'])) {
    if (kind !== 'indicators' && kind !== 'seed') assert.equal(js[kind].kind, kind);
    assert.equal(python[kind].format, FORMAT);
    assert.match(python[kind].generator, /^quant-backtest \S+ \(Python\)$/);
    assert.match(js[kind].generator, /^quant-backtest \S+ \(JS\)$/);
    assert.deepEqual(comparable(js[kind]), comparable(python[kind]), kind);
  }
  // What the documents hold, checked on the JS side (the equality above carries it to Python).
  const b = js.backtest;
  assert.deepEqual(b.bars.close, Array.from(md.close));
  assert.ok(b.run.trades.some((/** @type {any} */ t) => t.direction === 'short'), 'the run has shorts');
  assert.equal(b.run.equity_curve.length, md.length);
  assert.deepEqual(Object.keys(b.run.metrics).slice(0, 3), ['total_return', 'annualized_return', 'volatility']);
  assert.deepEqual(js.sweep.sweep.names, ['fast', 'slow']);
  assert.equal(js.sweep.sweep.maximize, 'total_return');
  assert.equal(js.sweep.sweep.columns.fast.length, 30);
  assert.equal(js.portfolio.assets.length, 4);
  assert.deepEqual(Object.keys(js.portfolio.run.position_values), js.portfolio.run.symbols);
  assert.equal(js.walk_forward.walk.windows.length, 4);
  assert.equal(js.walk_forward.title, 'walk');
  // The strategies' indicators, params bound, each once, on their panes.
  assert.deepEqual(b.overlays.map((/** @type {any} */ o) => [o.name, o.pane]), [['sma(10)', 'price'], ['sma(30)', 'price']]);
  assert.deepEqual(js.sweep.overlays.map((/** @type {any} */ o) => o.name), Object.values(js.sweep.run.params).map((p) => `sma(${p})`));
  assert.deepEqual(js.indicators.overlays.map((/** @type {any} */ o) => [o.name, o.pane]), [
    ['rsi(14)', 'oscillator'],
    ['bbands(20, 2.0).lower', 'price'],
    ['macd(12, 26, 9).hist', 'oscillator'],
    ['highest(20, high)', 'price'],
  ]);
  assert.equal(js.indicators.overlays[1].values[19], indicators.bbands(md.close, 20, 2).lower[19]);
  assert.equal(js.indicators.overlays[1].values[18], null, 'the warm-up is null');
  assert.deepEqual(js.portfolio.overlays, []);
  // The seed API's run: its bars remembered, its eight metrics, the rest null.
  assert.equal(js.seed.kind, 'backtest');
  assert.equal(js.seed.bars.symbol, 'DEMO');
  assert.equal(js.seed.run.metrics.exposure, null);
  assert.ok(js.seed.run.trades.every((/** @type {any} */ t) => t.direction === 'long' && t.exit_reason === 'signal'));
  assert.deepEqual(js.walk_forward.overlays, []);
});

test('report() inlines lightweight-charts, the chart component and the document', () => {
  const r = engine.runBacktest(md, qs.smaCross(10, 30));
  const html = report(r, { data: md, title: 'A </script> & <b>title</b>' });
  const lwc = readFileSync(join(REPO, 'node_modules', 'lightweight-charts', 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  const charts = readFileSync(join(REPO, 'python', 'quant_backtest', 'report', 'charts.js'), 'utf8');
  assert.ok(html.includes(lwc), 'the npm pin of lightweight-charts is the one inlined');
  assert.ok(html.includes(charts), 'the chart component is the Python package\'s charts.js');
  assert.equal(readFileSync(join(PACKAGE, 'report', 'charts.js'), 'utf8'), charts, 'the package ships the same charts.js');
  // The vendored copy in the Python package is the npm pin's (upgrade both together).
  assert.equal(readFileSync(join(REPO, 'python', 'quant_backtest', 'report', 'lightweight-charts.standalone.production.js'), 'utf8'), lwc);
  assert.doesNotMatch(html, /\{\{\w+\}\}/, 'every placeholder is filled');
  // Three scripts end where they should: the title's "</script>" is escaped everywhere.
  assert.equal(html.match(/<\/script/gi)?.length, 3);
  assert.ok(html.includes('<title>A &lt;/script&gt; &amp; &lt;b&gt;title&lt;/b&gt;</title>'));
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(json);
  const doc = JSON.parse(json[1]);
  assert.equal(doc.title, 'A </script> & <b>title</b>');
  assert.deepEqual(doc, JSON.parse(JSON.stringify(reportDocument(r, { data: md, title: 'A </script> & <b>title</b>' }))));
  assert.doesNotMatch(html, /https?:\/\/(?!www\.apache\.org\/licenses|www\.tradingview\.com\/|www\.w3\.org\/2000\/svg)/, "no address but a license, the attribution link and the SVG namespace");
});

test('saveReport writes the report to a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qb-report-'));
  try {
    const r = engine.runBacktest(md, qs.smaCross(10, 30));
    const path = join(dir, 'run.html');
    assert.equal(saveReport(r, path, { data: md }), path);
    assert.equal(readFileSync(path, 'utf8'), report(r, { data: md }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reports refuse what they cannot draw, by name', async () => {
  const r = engine.runBacktest(md, qs.smaCross(10, 30));
  assert.throws(() => reportDocument(42), (e) => e instanceof BacktestError && e.message === "result must be a backtest, portfolio or walk-forward result or a sweep's columns, got 42");
  assert.throws(() => reportDocument(r, { data: [1, 2] }), (e) => e instanceof BacktestError && /^data must be MarketData or a Universe, got/.test(e.message));
  const columns = await engine.sweep(md, qs.smaCross(), { fast: [5, 10], slow: [30] });
  assert.throws(() => reportDocument(columns, { maximize: 'sharp' }), (e) => e instanceof BacktestError && e.message === "unknown metric 'sharp'; did you mean 'sharpeRatio'?" && e.code === 'invalid_parameter');
  // A sweep without its best run: only the heatmap and the table.
  const doc = reportDocument(columns, { maximize: 'sharpe_ratio' });
  assert.equal(doc.run, null);
  assert.equal(doc.sweep.maximize, 'sharpe_ratio');
  assert.ok(MarketData);
});

test.after(() => engine.close());
