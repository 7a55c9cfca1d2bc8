// The command line of the npm package (`npx quant-backtest`, cli.js), run as a user runs it from
// the installed package: every command's --json output equals the API call it stands for
// (runBacktest, sweep + optimize, walkForward, runPortfolio), --csv writes the trades or the
// sweep table, `sample` writes generateSampleData's bars, --set binds placeholders and passes
// settings, every refusal is one line `quant-backtest: error: <message>` with exit code 2 (the
// library's own message for a library error), and every command's --help lists its flags.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { MarketData, RustEngine, Universe, catalog, generateSampleData, strategy as qs } from 'quant-backtest';

const require = createRequire(import.meta.url);
const PKG_DIR = dirname(require.resolve('quant-backtest/package.json'));
const CLI = join(PKG_DIR, 'cli.js');
const DIR = mkdtempSync(join(tmpdir(), 'quant-backtest-cli-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

const engine = new RustEngine();
after(() => engine.close());

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** JSON text read back less the engine's timings (they differ from run to run). */
const json = (text) => JSON.parse(text, (key, v) => (key === 'executionTimeMs' || key === 'execution_time_ms' ? undefined : v));
/** JSON's view of a value (what `--json` writes), less the timings. */
const plain = (value) => json(JSON.stringify(value));

/** Runs the installed package's cli.js; resolves with its exit code and output (never rejects). */
function cli(...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: DIR, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

/** Like cli(), and asserts success (exit 0, nothing on stderr). */
async function ok(...args) {
  const r = await cli(...args);
  assert.equal(r.code, 0, `quant-backtest ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, '');
  return r.stdout;
}

/** Asserts the one-line refusal: exit code 2, `quant-backtest: error: <message>` and nothing else. */
async function refused(args, message) {
  const r = await cli(...args);
  assert.equal(r.stderr, `quant-backtest: error: ${message}\n`, `quant-backtest ${args.join(' ')}`);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
}

/** The message of what `fn` throws. */
async function messageOf(fn) {
  try {
    await fn();
  } catch (e) {
    return e.message;
  }
  assert.fail('expected a refusal');
}

/** CSV text of bars, written independently of the CLI. */
function barsCsv(md) {
  const lines = ['date,open,high,low,close,volume'];
  for (let i = 0; i < md.length; i++) lines.push([md.dates[i], md.open[i], md.high[i], md.low[i], md.close[i], md.volume[i]].join(','));
  return lines.join('\n') + '\n';
}

/** Rows of simple CSV (no quoted fields), header first. */
const csvRows = (text) => text.trimEnd().split('\n').map((line) => line.split(','));
/** A CSV cell back as the value it stands for (numbers; '' is NaN/null). */
const cellValue = (cell) => (cell === '' ? NaN : Number.isNaN(Number(cell)) ? cell : Number(cell));

/** Writes `text` into the test's folder; returns the path. */
function file(name, text) {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

// The data files: their stems are the symbols.
const TEXT = {
  AAA: barsCsv(generateSampleData('X', 500, 100, { seed: 11 })),
  BBB: barsCsv(generateSampleData('X', 400, 40, { seed: 12 })),
  CCC: barsCsv(generateSampleData('X', 450, 250, { seed: 13 })),
};
const PATH = Object.fromEntries(Object.entries(TEXT).map(([s, t]) => [s, file(`${s}.csv`, t)]));
// The same bars as the CLI reads them.
const DATA = Object.fromEntries(Object.entries(TEXT).map(([s, t]) => [s, MarketData.fromCsv(t, { symbol: s })]));

const STRATEGY_FILE = file(
  'ema-vs-sma.json',
  JSON.stringify(new qs.Strategy({
    entry: qs.ema(qs.param('fast')).crossesAbove(qs.sma(30)),
    exit: qs.ema(qs.param('fast')).crossesBelow(qs.sma(30)),
    stopLoss: 0.08,
  })),
);

describe('run', () => {
  test('--json - equals engine.runBacktest; a preset with --set binding its placeholders and settings', async () => {
    const out = json(await ok('run', PATH.AAA, '--strategy', 'sma_cross', '--set', 'fast=10', '--set', 'slow=30',
      '--set', 'commission_rate=0.002', '--set', 'stop_loss=0.05', '--set', 'fill=close', '--json', '-'));
    const want = engine.runBacktest(DATA.AAA, qs.smaCross(), { commissionRate: 0.002, stopLoss: 0.05, fill: 'close', params: { fast: 10, slow: 30 } });
    assert.ok(want.trades.length > 2, 'the case has trades');
    assert.ok(want.trades.some((t) => t.exitReason === 'stop_loss'), 'stop_loss reached the engine');
    assert.deepEqual(out, plain(want));
    assert.deepEqual(out.params, { fast: 10, slow: 30 });
  });

  test('a strategy file: its settings apply, --set overrides them and binds its placeholder', async () => {
    const strategy = qs.Strategy.fromJSON(readFileSync(STRATEGY_FILE, 'utf8'));
    const out = json(await ok('run', PATH.BBB, '--strategy', STRATEGY_FILE, '--set', 'fast=8', '--json', '-'));
    assert.deepEqual(out, plain(engine.runBacktest(DATA.BBB, strategy, { params: { fast: 8 } })));
    const overridden = json(await ok('run', PATH.BBB, '--strategy', STRATEGY_FILE, '--set', 'fast=8', '--set', 'stop_loss=0.02', '--json', '-'));
    assert.deepEqual(overridden, plain(engine.runBacktest(DATA.BBB, strategy, { stopLoss: 0.02, params: { fast: 8 } })));
    assert.notDeepEqual(overridden, out);
  });

  test('a preset without placeholders, defaults only', async () => {
    const out = json(await ok('run', PATH.CCC, '--strategy', 'rsi_reversion', '--json', '-'));
    assert.deepEqual(out, plain(engine.runBacktest(DATA.CCC, qs.rsiReversion())));
  });

  test('--csv: one row per trade, the fields in snake_case; --json FILE and the summary on stdout', async () => {
    const tradesPath = join(DIR, 'run-trades.csv');
    const jsonPath = join(DIR, 'run.json');
    const stdout = await ok('run', PATH.AAA, '--strategy', 'sma_cross', '--set', 'fast=5', '--set', 'slow=20', '--csv', tradesPath, '--json', jsonPath);
    const want = engine.runBacktest(DATA.AAA, qs.smaCross(), { params: { fast: 5, slow: 20 } });
    assert.deepEqual(json(readFileSync(jsonPath, 'utf8')), plain(want));
    const [header, ...rows] = csvRows(readFileSync(tradesPath, 'utf8'));
    assert.deepEqual(header, Object.keys(want.trades[0]).map(snake));
    assert.equal(rows.length, want.trades.length);
    rows.forEach((row, i) => assert.deepEqual(row.map(cellValue), header.map((h) => want.trades[i][camel(h)]), `trade ${i}`));
    // The summary: `key: value` lines, every metric among them.
    const lines = new Map(stdout.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
    assert.equal(lines.get('symbol'), 'AAA');
    assert.equal(lines.get('bars'), '500');
    for (const { name } of catalog().metrics) assert.equal(lines.get(name), String(want[camel(name)] ?? null), name);
  });

  test('--symbol names the data; else the file stem', async () => {
    const out = json(await ok('portfolio', PATH.AAA, PATH.BBB, '--strategy', 'sma_cross', '--set', 'fast=5', '--set', 'slow=20', '--json', '-'));
    assert.deepEqual(Object.keys(out.positionValues), ['AAA', 'BBB']);
    const summary = await ok('run', PATH.AAA, '--strategy', 'sma_cross', '--set', 'fast=5', '--set', 'slow=20', '--symbol', 'ZED');
    assert.match(summary, /^symbol: ZED$/m);
  });
});

describe('sweep', () => {
  const GRID = { fast: [5, 10, 15], slow: [20, 30, 40] };

  test('--json -: best and bestParams equal engine.optimize, rows equal engine.sweep', async () => {
    const out = json(await ok('sweep', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5:15:5', '--param', 'slow=20,30,40',
      '--maximize', 'total_return', '--set', 'commission_rate=0.0005', '--json', '-'));
    const opt = await engine.optimize(DATA.AAA, qs.smaCross(), GRID, { maximize: 'totalReturn', commissionRate: 0.0005 });
    const cols = await engine.sweep(DATA.AAA, qs.smaCross(), GRID, { commissionRate: 0.0005 });
    assert.equal(out.maximize, 'total_return');
    assert.deepEqual(out.bestParams, opt.params);
    assert.deepEqual(out.best, plain(opt.result));
    const rows = Array.from(cols.fast, (_, i) => Object.fromEntries(Object.keys(cols).map((k) => [k, cols[k][i]])));
    assert.equal(rows.length, 9);
    assert.deepEqual(out.rows, plain(rows));
  });

  test('the default metric is sharpe_ratio; --set binds a placeholder the grid leaves out; --csv writes the table', async () => {
    const rowsPath = join(DIR, 'sweep.csv');
    const out = json(await ok('sweep', PATH.CCC, '--strategy', 'sma_cross', '--set', 'slow=30', '--param', 'fast=4:20:4', '--json', '-', '--csv', rowsPath));
    const fixed = qs.smaCross({ slow: 30 });
    const opt = await engine.optimize(DATA.CCC, fixed, { fast: [4, 8, 12, 16, 20] });
    const cols = await engine.sweep(DATA.CCC, fixed, { fast: [4, 8, 12, 16, 20] });
    assert.equal(out.maximize, 'sharpe_ratio');
    assert.deepEqual(out.bestParams, opt.params);
    assert.deepEqual(out.best, plain(opt.result));
    const [header, ...rows] = csvRows(readFileSync(rowsPath, 'utf8'));
    assert.deepEqual(header, Object.keys(cols).map((k) => (k === 'fast' ? k : snake(k))));
    assert.ok(header.includes('sharpe_ratio') && header.includes('max_drawdown_duration'));
    assert.equal(rows.length, 5);
    rows.forEach((row, i) => assert.deepEqual(row.map(cellValue), Object.keys(cols).map((k) => cols[k][i]), `row ${i}`));
  });

  test('the summary: combinations, best params and metrics', async () => {
    const stdout = await ok('sweep', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5,10', '--param', 'slow=30', '--maximize', 'total_return');
    const opt = await engine.optimize(DATA.AAA, qs.smaCross(), { fast: [5, 10], slow: [30] }, { maximize: 'totalReturn' });
    assert.match(stdout, /^combinations: 2$/m);
    assert.match(stdout, new RegExp(`^best_params: \\{"fast":${opt.params.fast},"slow":30\\}$`, 'm'));
    assert.match(stdout, new RegExp(`^total_return: ${String(opt.result.totalReturn).replace('.', '\\.')}$`, 'm'));
  });
});

describe('walk-forward', () => {
  test('--json - equals engine.walkForward; --csv writes its stitched trades', async () => {
    const tradesPath = join(DIR, 'walk-trades.csv');
    const out = json(await ok('walk-forward', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5:15:5', '--param', 'slow=20,40',
      '--train', '200', '--test', '60', '--step', '70', '--maximize', 'sortino_ratio', '--set', 'stop_loss=0.05', '--json', '-', '--csv', tradesPath));
    const want = engine.walkForward(DATA.AAA, qs.smaCross(), { fast: [5, 10, 15], slow: [20, 40] }, { train: 200, test: 60, step: 70, maximize: 'sortinoRatio', stopLoss: 0.05 });
    assert.ok(want.windows.length >= 3 && want.trades.length > 0, 'the case has windows and trades');
    assert.deepEqual(out, plain(want));
    const [header, ...rows] = csvRows(readFileSync(tradesPath, 'utf8'));
    assert.deepEqual(header, Object.keys(want.trades[0]).map(snake));
    assert.equal(rows.length, want.trades.length);
    rows.forEach((row, i) => assert.deepEqual(row.map(cellValue), header.map((h) => want.trades[i][camel(h)]), `trade ${i}`));
  });

  test('--anchored, a bound placeholder, the default metric; the summary counts the windows', async () => {
    const args = ['walk-forward', PATH.CCC, '--strategy', 'sma_cross', '--set', 'slow=40', '--param', 'fast=5:20:5', '--train', '150', '--test', '100', '--anchored'];
    const out = json(await ok(...args, '--json', '-'));
    const want = engine.walkForward(DATA.CCC, qs.smaCross({ slow: 40 }), { fast: [5, 10, 15, 20] }, { train: 150, test: 100, anchored: true });
    assert.equal(out.anchored, true);
    assert.equal(out.maximize, 'sharpe_ratio');
    assert.deepEqual(out, plain(want));
    assert.match(await ok(...args), new RegExp(`^windows: ${want.windows.length}$`, 'm'));
  });

  test("a bad window is the library's refusal", async () => {
    const options = { train: 100, test: 50, step: 20 };
    const message = await messageOf(() => engine.walkForward(DATA.AAA, qs.smaCross(), { fast: [5], slow: [20] }, options));
    await refused(['walk-forward', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5', '--param', 'slow=20', '--train', '100', '--test', '50', '--step', '20'], message);
  });
});

describe('portfolio', () => {
  test('--json - equals engine.runPortfolio on the files as a universe (stems as symbols); --csv with the symbol', async () => {
    const tradesPath = join(DIR, 'portfolio-trades.csv');
    const out = json(await ok('portfolio', PATH.AAA, PATH.BBB, PATH.CCC, '--strategy', 'sma_cross', '--set', 'fast=10', '--set', 'slow=30',
      '--set', 'max_positions=2', '--json', '-', '--csv', tradesPath));
    const universe = new Universe([DATA.AAA, DATA.BBB, DATA.CCC]);
    const want = engine.runPortfolio(universe, qs.smaCross(), { maxPositions: 2, params: { fast: 10, slow: 30 } });
    assert.deepEqual(new Set(want.trades.map((t) => t.symbol)), new Set(['AAA', 'BBB', 'CCC']));
    assert.deepEqual(out, plain(want));
    const [header, ...rows] = csvRows(readFileSync(tradesPath, 'utf8'));
    assert.equal(header[0], 'symbol');
    assert.deepEqual(header, Object.keys(want.trades[0]).map(snake));
    assert.equal(rows.length, want.trades.length);
    rows.forEach((row, i) => assert.deepEqual(row.map(cellValue), header.map((h) => want.trades[i][camel(h)]), `trade ${i}`));
  });
});

describe('sample', () => {
  test('the CSV read back is generateSampleData, bit for bit; --out writes the same bytes', async () => {
    const text = await ok('sample', '--symbol', 'ACME', '--days', '300', '--start-price', '50', '--seed', '7');
    assert.equal(text.split('\n')[0], 'date,open,high,low,close,volume');
    assert.ok(MarketData.fromCsv(text, { symbol: 'ACME' }).equals(generateSampleData('ACME', 300, 50, { seed: 7 })));
    const outPath = join(DIR, 'sample.csv');
    assert.equal(await ok('sample', '--symbol', 'ACME', '--days', '300', '--start-price', '50', '--seed', '7', '--out', outPath), '');
    assert.equal(readFileSync(outPath, 'utf8'), text);
  });

  test('defaults DEMO, 252 days, 100, seed 42; a seed up to 2**64 - 1', async () => {
    const text = await ok('sample');
    assert.ok(MarketData.fromCsv(text, { symbol: 'DEMO' }).equals(generateSampleData('DEMO', 252, 100, { seed: 42 })));
    const big = await ok('sample', '--days', '20', '--seed', '18446744073709551615');
    assert.ok(MarketData.fromCsv(big, { symbol: 'DEMO' }).equals(generateSampleData('DEMO', 20, 100, { seed: 2n ** 64n - 1n })));
  });

  test("bad values are the library's refusals", async () => {
    await refused(['sample', '--days', '0'], await messageOf(() => generateSampleData('DEMO', 0, 100, { seed: 42 })));
    await refused(['sample', '--seed', '-1'], await messageOf(() => generateSampleData('DEMO', 252, 100, { seed: -1 })));
  });
});

describe('errors: one line on stderr, exit code 2', () => {
  test("a non-number close in row 3 of the CSV: the library's message", async () => {
    const lines = TEXT.AAA.split('\n');
    const cells = lines[4].split(','); // header, then data rows 0-based: row 3 is line 4
    cells[4] = 'abc';
    lines[4] = cells.join(',');
    const bad = file('BAD.csv', lines.join('\n'));
    const message = await messageOf(() => MarketData.fromCsv(lines.join('\n'), { symbol: 'BAD' }));
    assert.match(message, /close at row 3/);
    await refused(['run', bad, '--strategy', 'sma_cross', '--set', 'fast=5', '--set', 'slow=20'], message);
  });

  test("an unknown indicator in the strategy file: the library's message", async () => {
    const text = JSON.stringify(qs.smaCross(10, 30)).replace('"sma"', '"smaa"');
    const bad = file('bad-strategy.json', text);
    const message = await messageOf(() => qs.Strategy.fromJSON(text));
    assert.match(message, /unknown indicator 'smaa'/);
    await refused(['run', PATH.AAA, '--strategy', bad], message);
  });

  test('a missing data file; a strategy that is neither a file nor a preset', async () => {
    await refused(['run', 'nope.csv', '--strategy', 'sma_cross'], "cannot read 'nope.csv': no such file");
    await refused(['portfolio', PATH.AAA, 'missing/B.csv', '--strategy', 'sma_cross'], "cannot read 'missing/B.csv': no such file");
    await refused(['run', PATH.AAA, '--strategy', 'sma_crosss'],
      "strategy 'sma_crosss' is neither a file nor a preset (presets: sma_cross, ema_cross, rsi_reversion, macd_cross, bollinger_reversion, donchian_breakout)");
  });

  test("an unknown setting and an unknown metric: the library's messages", async () => {
    const setting = await messageOf(() => engine.runBacktest(DATA.AAA, qs.smaCross(), { comissionRate: 0.1, params: { fast: 5, slow: 20 } }));
    assert.match(setting, /unknown setting 'comissionRate'; did you mean 'commissionRate'\?/);
    await refused(['run', PATH.AAA, '--strategy', 'sma_cross', '--set', 'fast=5', '--set', 'slow=20', '--set', 'comission_rate=0.1'], setting);
    const metric = await messageOf(() => engine.optimize(DATA.AAA, qs.smaCross(), { fast: [5], slow: [20] }, { maximize: 'sharpe' }));
    await refused(['sweep', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5', '--param', 'slow=20', '--maximize', 'sharpe'], metric);
    await refused(['walk-forward', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5', '--param', 'slow=20', '--train', '100', '--test', '50', '--maximize', 'sharpe'],
      await messageOf(() => engine.walkForward(DATA.AAA, qs.smaCross(), { fast: [5], slow: [20] }, { train: 100, test: 50, maximize: 'sharpe' })));
  });

  test('bad --param and --set specs', async () => {
    const sweep = (...param) => ['sweep', PATH.AAA, '--strategy', 'sma_cross', '--param', 'slow=30', ...param.flatMap((p) => ['--param', p])];
    await refused(sweep('fast=20:5'), '--param fast=20:5: the range is empty (20 > 5)');
    await refused(sweep('fast=5:20:0'), '--param fast=5:20:0: the step must be > 0, got 0');
    await refused(sweep('fast=1.5:3'), "--param fast=1.5:3: a range's bounds and step must be integers");
    await refused(sweep('fast=1:2:3:4'), '--param fast=1:2:3:4: a range is a:b or a:b:step');
    await refused(sweep('fast=5,,10'), '--param fast=5,,10: an empty value in the list');
    await refused(sweep('fast='), '--param fast=: an empty SPEC');
    await refused(sweep('fast=5', 'fast=6'), '--param fast is given twice');
    await refused(sweep('fast'), '--param fast: expected NAME=SPEC');
    await refused(['run', PATH.AAA, '--strategy', 'sma_cross', '--set', 'fast'], '--set fast: expected KEY=VALUE');
  });

  test('an unknown flag, a missing flag value or argument, an unknown or no command: the usage, then the error', async () => {
    const cases = [
      [['run', PATH.AAA, '--strategy', 'sma_cross', '--bogus'], 'usage: quant-backtest run ', 'unrecognized arguments: --bogus'],
      [['run', PATH.AAA, '--strategy'], 'usage: quant-backtest run ', 'argument --strategy: expected one argument'],
      [['sweep', PATH.AAA, '--strategy', 'sma_cross'], 'usage: quant-backtest sweep ', 'the following arguments are required: --param'],
      [['run', '--strategy', 'sma_cross'], 'usage: quant-backtest run ', 'the following arguments are required: DATA.csv'],
      [['walk-forward', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5', '--anchored=yes', '--train', '1', '--test', '1'], 'usage: quant-backtest walk-forward ', "argument --anchored: ignored explicit argument 'yes'"],
      [['walk-forward', PATH.AAA, '--strategy', 'sma_cross', '--param', 'fast=5', '--train', 'ten', '--test', '1'], 'usage: quant-backtest walk-forward ', "argument --train: invalid int value: 'ten'"],
      [['run', PATH.AAA, 'extra.csv', '--strategy', 'sma_cross'], 'usage: quant-backtest run ', 'unrecognized arguments: extra.csv'],
      [['frobnicate'], 'usage: quant-backtest [-h] COMMAND ...', "argument COMMAND: invalid choice: 'frobnicate' (choose from 'run', 'sweep', 'walk-forward', 'portfolio', 'sample')"],
      [[], 'usage: quant-backtest [-h] COMMAND ...', 'a command is required'],
    ];
    for (const [args, usage, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.startsWith(usage), `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.endsWith(`\nquant-backtest: error: ${message}\n`), `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

describe('--help', () => {
  const FLAGS = {
    run: ['--strategy', '--symbol', '--set', '--json', '--csv', '--report'],
    sweep: ['--strategy', '--param', '--maximize', '--set', '--json', '--csv', '--report', '--no-progress'],
    'walk-forward': ['--strategy', '--param', '--train', '--test', '--step', '--anchored', '--maximize', '--set', '--json', '--csv', '--report', '--no-progress'],
    portfolio: ['--strategy', '--set', '--json', '--csv', '--report'],
    sample: ['--symbol', '--days', '--start-price', '--seed', '--out'],
  };

  for (const [command, flags] of Object.entries(FLAGS)) {
    test(`${command} --help: exit 0, the usage and one line per flag`, async () => {
      for (const help of ['--help', '-h']) {
        const text = await ok(command, help);
        assert.ok(text.startsWith(`usage: quant-backtest ${command}`), text);
        for (const flag of [...flags, '-h, --help']) assert.match(text, new RegExp(`^ +${flag}( |$)`, 'm'), `${command}: ${flag}`);
      }
    });
  }

  test('the top level lists every command', async () => {
    const text = await ok('--help');
    assert.ok(text.startsWith('usage: quant-backtest'));
    for (const command of Object.keys(FLAGS)) assert.match(text, new RegExp(`^ +${command}( |$)`, 'm'), command);
  });

  test("the package's bin: node_modules/.bin/quant-backtest runs cli.js (shebang, executable once installed)", async () => {
    const pkg = require('quant-backtest/package.json');
    assert.deepEqual(pkg.bin, { 'quant-backtest': './cli.js' });
    assert.ok(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n'));
    const bin = join(PKG_DIR, '..', '.bin', 'quant-backtest'); // PKG_DIR is node_modules/quant-backtest
    const r = await new Promise((resolve) => {
      execFile(bin, ['sample', '--days', '5'], (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(MarketData.fromCsv(r.stdout, { symbol: 'DEMO' }).equals(generateSampleData('DEMO', 5, 100, { seed: 42 })));
  });
});

// The same command line in both ecosystems: the Python package's (the repo's .venv) writes the
// same text for the same commands: the sample CSV, the summaries, the trades and sweep CSVs, the
// help texts, and the same one-line refusals. The same characters but in numbers, which agree to
// 1e-9 relative: `pow` in annualized_return (and the calmar ratio made from it) may differ by
// an ulp between the native libm and wasm's (docs/CONVENTIONS.md).
const NUMBER = /(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/;
/** Whether two outputs are the same text, numbers to 1e-9 relative. @param {string} a @param {string} b */
function sameText(a, b) {
  const x = a.split(NUMBER);
  const y = b.split(NUMBER);
  if (x.length !== y.length) return false;
  return x.every((part, i) => {
    if (i % 2 === 0 || part === y[i]) return part === y[i];
    const [u, v] = [Number(part), Number(y[i])];
    return Math.abs(u - v) <= 1e-9 * Math.max(Math.abs(u), Math.abs(v));
  });
}
describe('the Python command line says the same', () => {
  const GOLDEN_DIR = process.env.GOLDEN_DIR;
  if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
  const PYTHON = join(GOLDEN_DIR, '..', '..', '.venv', 'bin', 'python');
  /** @param {...string} args */
  const python = (...args) =>
    new Promise((resolve) => {
      execFile(PYTHON, ['-m', 'quant_backtest', ...args], { cwd: DIR, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? error.code : 0, stdout, stderr });
      });
    });
  const same = async (/** @type {string[]} */ args) => {
    const [js, py] = [await cli(...args), await python(...args)];
    const what = `quant-backtest ${args.join(' ')}`;
    assert.equal(js.code, py.code, what);
    if (!sameText(js.stdout, py.stdout)) assert.equal(js.stdout, py.stdout, what);
    if (!sameText(js.stderr, py.stderr)) assert.equal(js.stderr, py.stderr, what);
    return js;
  };

  test('sample, run, sweep, walk-forward and portfolio: the same outputs', async () => {
    await ok('sample', '--symbol', 'XLANG', '--days', '500', '--seed', '11', '--out', 'XLANG.csv');
    await ok('sample', '--symbol', 'YLANG', '--days', '400', '--seed', '12', '--out', 'YLANG.csv');
    const sample = await same(['sample', '--days', '300', '--seed', '5', '--start-price', '50']);
    assert.match(sample.stdout, /^date,open,high,low,close,volume\n/);
    const sets = ['--strategy', 'sma_cross', '--set', 'fast=10', '--set', 'slow=30', '--set', 'stop_loss=0.05'];
    const run = await same(['run', 'XLANG.csv', ...sets, '--csv', '-']);
    assert.ok(run.stdout.split('\n').length > 3, 'trades were written');
    assert.ok((await same(['run', 'XLANG.csv', ...sets])).stdout.includes('total_return'));
    const grid = ['--strategy', 'sma_cross', '--param', 'fast=5:20:5', '--param', 'slow=30,40,50'];
    await same(['sweep', 'XLANG.csv', ...grid, '--maximize', 'total_return']);
    await same(['sweep', 'XLANG.csv', ...grid, '--csv', '-']);
    await same(['walk-forward', 'XLANG.csv', ...grid, '--train', '200', '--test', '100', '--csv', '-']);
    await same(['portfolio', 'XLANG.csv', 'YLANG.csv', ...sets, '--set', 'max_positions=1', '--csv', '-']);
  });

  test('the same help and the same refusals', async () => {
    for (const command of ['run', 'sweep', 'walk-forward', 'portfolio', 'sample']) await same([command, '--help']);
    await same(['--help']);
    writeFileSync(join(DIR, 'bad-close.csv'), 'date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,abc,10\n');
    const bad = await same(['run', 'bad-close.csv', '--strategy', 'sma_cross']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^quant-backtest: error: .*close.*\n$/);
    await same(['run', 'missing.csv', '--strategy', 'sma_cross']);
    await same(['run', 'XLANG.csv', '--strategy', 'nothing_like_it']);
    await same(['sweep', 'XLANG.csv', '--strategy', 'sma_cross', '--param', 'fast=9:2']);
  });
});

test('a progress counter on stderr only when it is a terminal, and none with --no-progress', async () => {
  await ok('sample', '--symbol', 'TTY', '--days', '400', '--seed', '8', '--out', 'TTY.csv');
  // stderr as a terminal: the flag Node sets on a TTY, set before cli.js starts.
  const tty = 'data:text/javascript,Object.defineProperty(process.stderr,"isTTY",{value:true})';
  /** @param {string[]} flags */
  const run = (flags, asTerminal) =>
    new Promise((resolve) => {
      execFile(process.execPath, [...(asTerminal ? ['--import', tty] : []), CLI, ...flags], { cwd: DIR }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
    });
  const sweep = ['sweep', 'TTY.csv', '--strategy', 'sma_cross', '--param', 'fast=5:20:5', '--param', 'slow=30:60:10'];
  const walk = ['walk-forward', 'TTY.csv', '--strategy', 'sma_cross', '--param', 'fast=5:20:5', '--param', 'slow=30:60:10', '--train', '200', '--test', '100'];
  for (const [flags, last] of /** @type {const} */ ([[sweep, /\rsweep: 16\/16\n$/], [walk, /\rwalk-forward: 1\/1\n$/]])) {
    const shown = await run([...flags], true);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stderr, last);
    const off = await run([...flags, '--no-progress'], true);
    assert.equal(off.stderr, '');
    assert.equal(off.stdout, shown.stdout, 'the same output either way');
    assert.equal((await run([...flags], false)).stderr, '', 'not a terminal: no counter');
  }
});

test('--report writes the report of the result, the same as the API\'s', async () => {
  const { reportDocument } = await import('quant-backtest/report');
  await ok('sample', '--symbol', 'REP', '--days', '400', '--seed', '9', '--out', 'REP.csv');
  await ok('run', 'REP.csv', '--strategy', 'sma_cross', '--set', 'fast=10', '--set', 'slow=30', '--report', 'rep.html');
  const html = readFileSync(join(DIR, 'rep.html'), 'utf8');
  const found = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(found);
  const data = MarketData.fromCsv(readFileSync(join(DIR, 'REP.csv'), 'utf8'), { symbol: 'REP' });
  const result = engine.runBacktest(data, qs.smaCross(), { params: { fast: 10, slow: 30 } });
  assert.deepEqual(JSON.parse(found[1]), plain(reportDocument(result, { title: 'sma_cross on REP' })));
  // Written in order (the summary, then the report), so the refusal comes after the summary.
  const r = await cli('run', 'REP.csv', '--strategy', 'sma_cross', '--set', 'fast=10', '--set', 'slow=30', '--report', 'no/such/r.html');
  assert.deepEqual([r.code, r.stderr], [2, "quant-backtest: error: cannot write 'no/such/r.html': no such file\n"]);
});
