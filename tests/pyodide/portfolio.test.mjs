// Portfolios (SPEC part 10) through the Python API inside Pyodide (npm `pyodide`, offline, in
// Node) on the wasm engine: the golden portfolio cases and refusals, and the scenarios of
// portfolio_scenarios.py (a sample universe bit for bit, runs, sweeps, optimize, the engine
// module's raw columns, refusals) equal to the native engine's answers from the repo's .venv.
//
// Run: node --test tests/pyodide/   (scripts/test-pyodide.sh builds what is missing first)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { GOLDEN_DIR, ROOT, VENV_PYTHON, findWheel, pyJson, pyodideWithWheel } from './helpers.mjs';

const SCRIPT = join(ROOT, 'tests', 'pyodide', 'portfolio_scenarios.py');

/** @type {any} */
let py;
/** @type {any} */
let native;

/**
 * The native engine's answers to portfolio_scenarios.py (QUANT_BACKTEST_BACKEND=rust: a
 * missing native module is an error, not a pure-Python answer).
 */
function nativePortfolioAnswers() {
  if (!existsSync(VENV_PYTHON)) throw new Error(`${VENV_PYTHON} is missing: run scripts/test-pyodide.sh`);
  const run = spawnSync(VENV_PYTHON, [SCRIPT, GOLDEN_DIR], {
    cwd: ROOT,
    // The .venv's installed wheel: its native engine (demanded), not the source tree's Python.
    env: { ...process.env, QUANT_BACKTEST_BACKEND: 'rust' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the native portfolio scenarios failed (${run.status}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout);
  if (out.scenarios.backend !== 'rust') throw new Error(`the .venv answered on ${out.scenarios.backend}, not the native engine`);
  return out;
}

before(async () => {
  const loaded = await pyodideWithWheel(findWheel());
  assert.deepEqual(loaded.errors, []);
  py = loaded.py;
  py.FS.writeFile('/tests/portfolio_scenarios.py', readFileSync(SCRIPT));
  native = nativePortfolioAnswers();
});

test('every golden portfolio gives the expected trades, curves, asset rows and metrics', () => {
  const out = pyJson(py, 'import json, portfolio_scenarios as p; json.dumps(p.check_golden("/tests/golden"))');
  assert.equal(out.backend, 'wasm');
  assert.equal(out.cases, 8);
  assert.equal(out.trades, native.golden.trades);
  assert.ok(out.trades > 0);
  assert.deepEqual(out.failures, []);
});

test('every bad portfolio of portfolio_errors.json is refused with the same message and code', () => {
  const out = pyJson(py, 'import json, portfolio_scenarios as p; json.dumps(p.check_errors("/tests/golden"))');
  assert.equal(out.backend, 'wasm');
  assert.equal(out.cases, 12);
  assert.deepEqual(out.failures, []);
});

test('sample universes, runs, sweeps, optimize, raw columns and refusals equal the native engine', () => {
  py.globals.set('native_json', JSON.stringify(native.scenarios));
  const out = pyJson(py, `
import json, scenarios, portfolio_scenarios as p
mine = p.portfolio_scenarios()
diffs, inexact = scenarios.compare(json.loads(native_json), mine)
json.dumps({"backend": mine["backend"], "diffs": diffs[:20], "n": len(diffs), "inexact": inexact,
            "errors": mine["errors"], "sample": [len(a["dates"]) for a in mine["sample"]["assets"]],
            "trades": {k: len(v["trades"]) for k, v in mine["runs"].items()},
            "sweep_rows": len(mine["sweep"]["fast"]), "kept": len(mine["sweep_callable"]["fast"]),
            "columns": mine["engine_columns"]})
`);
  assert.equal(out.backend, 'wasm');
  assert.deepEqual(out.diffs, [], `${out.n} differences from the native engine`);
  // Same Rust code: bit for bit, but for pow() (annualized_return, and calmar_ratio from it).
  const notPow = out.inexact.filter((/** @type {string} */ p) => !/\.(annualized_return|calmar_ratio)(\[\d+\])?: /.test(p));
  assert.deepEqual(notPow, [], 'values other than annualized_return that are not bit-identical');
  // Not vacuous: assets starting on different days, trades in every run, a 3 x 3 sweep.
  assert.equal(out.sample.length, 4);
  assert.ok(new Set(out.sample).size > 1, 'the sample assets start on different days');
  for (const [name, n] of Object.entries(out.trades)) assert.ok(Number(n) > 0, `${name} made no trade`);
  assert.equal(out.sweep_rows, 9);
  assert.equal(out.kept, 6);
  // The bridge's run_portfolio gives the native door's dict (keys, labels, rows).
  assert.deepEqual(out.columns.keys, ['metrics', 'trades', 'labels', 'equity_curve', 'cash', 'assets', 'position_rows', 'params']);
  assert.deepEqual(out.columns.plain.labels, [['long', 'short'], ['signal', 'stop_loss', 'take_profit', 'trailing_stop', 'reverse']]);
  assert.equal(out.columns.universe_dates, true);
  for (const [name, e] of Object.entries(out.errors)) assert.equal(e.error, 'BacktestError', `${name}: ${JSON.stringify(e)}`);
  assert.deepEqual(out.errors.slots_integral_float, { error: 'BacktestError', code: 'invalid_parameter', msg: 'max_positions must be an integer >= 1, got 2.0' });
});

test('QUANT_BACKTEST_BACKEND=rust: portfolios run on the wasm engine, never the pure-Python one', () => {
  // The pure-Python portfolio engine and sample universe are made to fail: an answer from
  // them (a silent fallback) fails this test instead of passing on equal numbers.
  const out = pyJson(py, `
import json, os
import quant_backtest as qb
import quant_backtest.strategy as qs
from quant_backtest import _fallback
from quant_backtest._fallback import portfolio as fallback_portfolio
import portfolio_scenarios as p

def refuse(*args, **kwargs):
    raise AssertionError("the pure-Python portfolio engine ran")

saved = (fallback_portfolio.simulate, _fallback.generate_sample_universe)
fallback_portfolio.simulate = _fallback.generate_sample_universe = refuse
os.environ["QUANT_BACKTEST_BACKEND"] = "rust"
try:
    e = qb.RustEngine()
    u = qb.generate_sample_universe(3, days=250, seed=5)
    r = e.run_portfolio(u, qs.sma_cross(10, 30), max_positions=2)
    fast, slow = qs.param("fast"), qs.param("slow")
    swept = qs.Strategy(entry=qs.sma(fast).crosses_above(qs.sma(slow)),
                        exit=qs.sma(fast).crosses_below(qs.sma(slow)))
    columns = e.sweep(u, swept, {"fast": [5, 10], "slow": [20, 40]}, as_frame=False)
    best, chosen = e.optimize(u, swept, {"fast": [5, 10], "slow": [20, 40]})
    golden = p.check_golden("/tests/golden")
    answer = {"engine": e.backend, "result": r.backend, "optimized": chosen.backend,
              "trades": len(r.trades), "rows": len(columns["fast"]), "golden": golden,
              "handle": type(u._native_handle()).__module__}
finally:
    del os.environ["QUANT_BACKTEST_BACKEND"]
    fallback_portfolio.simulate, _fallback.generate_sample_universe = saved
json.dumps(answer)
`);
  assert.deepEqual([out.engine, out.result, out.optimized], ['wasm', 'wasm', 'wasm']);
  assert.equal(out.handle, 'quant_backtest._wasm_bridge');
  assert.ok(out.trades > 0);
  assert.equal(out.rows, 4);
  assert.deepEqual(out.golden.failures, []);
  assert.equal(out.golden.cases, 8);
});
