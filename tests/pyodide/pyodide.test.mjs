// The Python API inside Pyodide (npm `pyodide`, offline, in Node) on the wasm engine that the
// pure-Python wheel ships: install the wheel with loadPackage (any errorCallback message fails),
// then the quick start, grids, every golden case and bad input, sample data bit for bit, and
// the same scenarios as the native engine (computed by the repo's .venv), key for key.
//
// Run: node --test tests/pyodide/   (scripts/test-pyodide.sh builds what is missing first)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ROOT, VENV_PYTHON, findWheel, nativeAnswers, pyJson, pyodideWithWheel } from './helpers.mjs';

/** @type {any} */
let py;
/** @type {string[]} */
let installErrors;
/** @type {string[]} */
let importWarnings;
/** @type {any} */
let native;
const wheel = findWheel();

before(async () => {
  ({ py, errors: installErrors } = await pyodideWithWheel(wheel));
  // Importing the package and starting the engine must not warn (no fallback).
  importWarnings = pyJson(py, `
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import quant_backtest
    quant_backtest.RustEngine()
json.dumps([f"{w.category.__name__}: {w.message}" for w in caught])
`);
  native = nativeAnswers();
});

test('the wheel installs offline through loadPackage with no error', () => {
  assert.deepEqual(installErrors, []);
  const where = pyJson(py, `
import json, pathlib, quant_backtest
root = pathlib.Path(quant_backtest.__file__).parent
json.dumps({"wasm": sorted(p.name for p in (root / "wasm").iterdir()),
            "native": sorted(p.name for p in root.glob("_native*"))})
`);
  assert.deepEqual(where, { wasm: ['quant_backtest.js', 'quant_backtest_bg.wasm'], native: [] });
});

test('RustEngine runs on the wasm engine under Pyodide, without a warning', () => {
  assert.deepEqual(importWarnings, []);
  const info = pyJson(py, `
import json, sys
from quant_backtest import RustEngine, __version__, generate_sample_data, run_sma_backtest
e = RustEngine()
data = generate_sample_data("INFO", days=120, seed=3)
json.dumps({"platform": sys.platform, "info": e.get_engine_info(), "repr": repr(e),
            "available": RustEngine.is_rust_available(), "version": __version__,
            "result": e.run_sma_backtest(data, 5, 20).backend,
            "grid": e.run_multiple_backtests(data, [5], [20])[0][2].backend,
            "module_level": run_sma_backtest(data, 5, 20).backend,
            "threads_1": e.get_engine_info(max_workers=1)["threads"]})
`);
  assert.equal(info.platform, 'emscripten');
  assert.equal(info.info.backend, 'wasm');
  assert.equal(info.info.wasm_available, true);
  assert.equal(info.info.wasm_version, info.version);
  assert.equal(info.info.native_available, false);
  assert.equal(info.info.parallel, false);
  assert.equal(info.info.threads, 1);
  assert.equal(info.info.requested_by_env, 'auto');
  assert.equal(info.repr, "RustEngine(backend='wasm')");
  assert.equal(info.available, true);
  assert.deepEqual([info.result, info.grid, info.module_level, info.threads_1], ['wasm', 'wasm', 'wasm', 1]);
});

test('the quick start runs and equals the native engine', () => {
  // The README's quick start, as written (no pandas here: run_grid gives a dict of lists).
  /** @type {string[]} */
  const printed = [];
  py.setStdout({ batched: (/** @type {string} */ line) => printed.push(line) });
  let got;
  try {
    got = pyJson(py, `
import json
from quant_backtest import RustEngine, generate_sample_data

data = generate_sample_data("DEMO", days=1_000, start_price=100.0, seed=42)
engine = RustEngine()
result = engine.run_sma_backtest(data, fast_period=10, slow_period=30)
print(result.total_return, result.sharpe_ratio, result.max_drawdown, result.trade_count)
for trade in result.trades:
    print(trade.entry_date, trade.exit_date, trade.pnl)
results = engine.run_multiple_backtests(data, range(5, 50, 5), range(20, 200, 20))
frame = engine.run_grid(data, range(2, 52), range(52, 249, 4))
json.dumps({"backend": result.backend, "trades": result.trade_count, "total": result.total_return.hex(),
            "pairs": len(results), "columns": sorted(frame), "rows": len(frame["fast_period"])})
`);
  } finally {
    py.setStdout();
  }
  assert.equal(printed.length, 1 + got.trades);
  const want = native.scenarios.quick_start;
  assert.equal(got.backend, 'wasm');
  assert.equal(got.trades, want.trade_count);
  assert.equal(got.total, want.total_return);
  assert.equal(got.pairs, native.scenarios.grid.length);
  assert.equal(got.rows, native.scenarios.run_grid.fast_period.length);
  assert.deepEqual(got.columns, Object.keys(native.scenarios.run_grid).sort());
});

test('quick start, grids, options, sample bars and Python-side refusals equal the native engine', () => {
  py.globals.set('native_json', JSON.stringify(native.scenarios));
  const out = pyJson(py, `
import json, scenarios
mine = scenarios.scenarios()
diffs, inexact = scenarios.compare(json.loads(native_json), mine)
json.dumps({"backend": mine["backend"], "diffs": diffs[:20], "n": len(diffs), "inexact": inexact,
            "pairs": len(mine["grid"]), "options": len(mine["options"])})
`);
  assert.equal(out.backend, 'wasm');
  assert.deepEqual(out.diffs, [], `${out.n} differences from the native engine`);
  assert.equal(out.pairs, 73);
  assert.equal(out.options, 48);
  // Same Rust code, same IEEE operations: trades, equity, bars and every other metric are bit
  // for bit the native ones. Only pow() (annualized_return) comes from another libm in wasm
  // (docs/CONVENTIONS.md allows it an ulp); those values matched within 1e-9 above.
  // calmar_ratio is annualized_return / max_drawdown: the same ulp at most.
  const notPow = out.inexact.filter((/** @type {string} */ p) => !/\.(annualized_return|calmar_ratio)(\[\d+\])?: /.test(p));
  assert.deepEqual(notPow, [], 'metrics other than annualized_return that are not bit-identical');
});

test('the strategy API (builder, presets, JSON, run_signals, sweep, optimize, indicators, refusals) equals the native engine', () => {
  py.globals.set('native_json', JSON.stringify(native.scenarios.strategy));
  const out = pyJson(py, `
import json, scenarios
mine = scenarios.strategy_scenarios()
diffs, inexact = scenarios.compare(json.loads(native_json), mine)
json.dumps({"backend": mine["backend"], "diffs": diffs[:20], "n": len(diffs), "errors": mine["errors"],
            "trades": {k: len(v["trades"]) for k, v in mine["runs"].items()},
            "sweep_rows": len(mine["sweep"]["fast"]), "best": mine["optimize"]["best"]})
`);
  assert.equal(out.backend, 'wasm');
  assert.deepEqual(out.diffs, [], `${out.n} differences from the native engine`);
  // The comparison is not vacuous: real runs, a 3 x 3 sweep, and every refusal refused.
  for (const [name, n] of Object.entries(out.trades)) assert.ok(Number(n) > 0, `${name} made no trade`);
  assert.equal(out.sweep_rows, 9);
  assert.deepEqual(Object.keys(out.best).sort(), ['fast', 'slow']);
  for (const [name, e] of Object.entries(out.errors)) assert.equal(e.error, 'BacktestError', `${name}: ${JSON.stringify(e)}`);
  assert.deepEqual(out.errors.setting_typo, { error: 'BacktestError', code: 'invalid_parameter', msg: "unknown setting 'comission'; did you mean 'commission_rate'?" });
});

test('every golden case gives the expected trades, equity and metrics (alone and in a grid)', () => {
  const out = pyJson(py, 'import json, scenarios; json.dumps(scenarios.check_golden("/tests/golden"))');
  assert.equal(out.backend, 'wasm');
  assert.equal(out.cases, 18);
  assert.deepEqual(out.failures, []);
});

test('every bad input of errors.json is refused with the same BacktestError message', () => {
  const out = pyJson(py, 'import json, scenarios; json.dumps(scenarios.check_errors("/tests/golden"))');
  assert.equal(out.backend, 'wasm');
  assert.equal(out.cases, native.errors.cases);
  assert.equal(out.checked, native.errors.checked);
  assert.ok(out.checked > out.cases, 'grid cases run through run_multiple_backtests and run_grid');
  assert.deepEqual(out.failures, []);
});

test('generate_sample_data equals tests/golden/sample_data.json bit for bit', () => {
  const out = pyJson(py, 'import json, scenarios; json.dumps(scenarios.check_sample_data("/tests/golden"))');
  assert.equal(out.cases, 4);
  assert.deepEqual(out.failures, []);
});

test('QUANT_BACKTEST_BACKEND=python forces the pure-Python engine, which gives the same answers', () => {
  py.globals.set('native_json', JSON.stringify(native.scenarios));
  const out = pyJson(py, `
import json, os, scenarios
from quant_backtest import RustEngine
os.environ["QUANT_BACKTEST_BACKEND"] = "python"
try:
    mine = scenarios.scenarios()
    info = RustEngine().get_engine_info()
finally:
    del os.environ["QUANT_BACKTEST_BACKEND"]
diffs, inexact = scenarios.compare(json.loads(native_json), mine)
json.dumps({"backend": mine["backend"], "info": info["backend"], "env": info["requested_by_env"],
            "diffs": diffs[:20], "after": RustEngine().backend,
            "off": RustEngine(use_rust=False).backend})
`);
  assert.equal(out.backend, 'python');
  assert.equal(out.info, 'python');
  assert.equal(out.env, 'python');
  assert.deepEqual(out.diffs, []);
  assert.equal(out.after, 'wasm');
  assert.equal(out.off, 'python');
});

test('the rest of the seed API works on the wasm engine (async, cache, context, benchmark, pickle)', async () => {
  const out = JSON.parse(await py.runPythonAsync(`
import json, pickle
import quant_backtest as qb
data = qb.generate_sample_data("API", days=300, seed=1)
e = qb.RustEngine()
r = await e.run_sma_backtest_async(data, 5, 20)
cached = qb.CachedRustEngine(cache_size=2)
a = cached.run_sma_backtest(data, 5, 20)
b = cached.run_sma_backtest(data, 5, 20)
with qb.rust_engine_context(use_cache=True) as ctx:
    in_context = ctx.run_sma_backtest(data, 5, 20).backend
bench = qb.benchmark_engine(data, 5, 20, iterations=2)
copy = pickle.loads(pickle.dumps(data))
from_dict = e.run_sma_backtest({"symbol": "D", "dates": list(data.dates), "open": list(data.open),
    "high": list(data.high), "low": list(data.low), "close": list(data.close),
    "volume": list(data.volume)}, 5, 20)
json.dumps({
    "async": [r.backend, r.trades == e.run_sma_backtest(data, 5, 20).trades],
    "cache": [a is b, cached.get_cache_stats()["hits"], cached.backend],
    "context": in_context,
    "bench": [bench["results_match"], bench["rust_result"].backend, bench["python_result"].backend],
    "pickle": [copy == data, copy.fingerprint == data.fingerprint, len(copy)],
    "dict": [from_dict.backend, from_dict.trades == r.trades],
    "to_dict": sorted(r.to_dict())[:3],
    "equity_type": type(r.equity_curve).__name__,
    "columns_type": type(data.close).__name__,
})
`));
  assert.deepEqual(out.async, ['wasm', true]);
  assert.deepEqual(out.cache, [true, 1, 'wasm']);
  assert.equal(out.context, 'wasm');
  assert.deepEqual(out.bench, [true, 'wasm', 'python']);
  assert.deepEqual(out.pickle, [true, true, 300]);
  assert.deepEqual(out.dict, ['wasm', true]);
  assert.deepEqual(out.to_dict, ['annualized_return', 'backend', 'best_trade']);
  // No numpy in plain Pyodide: lists and tuples, as on a desktop without numpy.
  assert.equal(out.equity_type, 'list');
  assert.equal(out.columns_type, 'tuple');
});

test('if the wasm engine cannot start: one RuntimeWarning, then the pure-Python engine', async () => {
  const { py: other, errors } = await pyodideWithWheel(wheel, { golden: false });
  assert.deepEqual(errors, []);
  const out = pyJson(other, `
import json, os, pathlib, warnings
import quant_backtest
from quant_backtest import RustEngine, generate_sample_data, _backend
wasm = pathlib.Path(quant_backtest.__file__).parent / "wasm" / "quant_backtest_bg.wasm"
good = wasm.read_bytes()
runs = {}
for name, damage in (("missing", lambda: wasm.unlink()), ("corrupt", lambda: wasm.write_bytes(b"\\0asm-not-really"))):
    damage()
    _backend._wasm_tried = _backend._warned = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e1, e2 = RustEngine(), RustEngine()
        data = generate_sample_data("F", days=80, seed=2)
        result = e1.run_sma_backtest(data, 5, 20)
    os.environ["QUANT_BACKTEST_BACKEND"] = "rust"
    try:
        RustEngine()
        demanded = None
    except ImportError as error:
        demanded = str(error)
    finally:
        del os.environ["QUANT_BACKTEST_BACKEND"]
    runs[name] = {"warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
                  "backends": [e1.backend, e2.backend, result.backend],
                  "info": e1.get_engine_info()["wasm_available"], "demanded": demanded}
wasm.write_bytes(good)
_backend._wasm_tried = _backend._warned = False
runs["repaired"] = RustEngine().backend
json.dumps(runs)
`);
  for (const name of ['missing', 'corrupt']) {
    const run = out[name];
    assert.equal(run.warnings.length, 1, `${name}: ${JSON.stringify(run.warnings)}`);
    assert.match(run.warnings[0], /^RuntimeWarning: quant_backtest: the wasm engine could not start \(.+\); using the pure-Python engine/);
    assert.deepEqual(run.backends, ['python', 'python', 'python']);
    assert.equal(run.info, false);
    assert.match(run.demanded ?? '', /^QUANT_BACKTEST_BACKEND=rust but the wasm engine could not start/);
  }
  assert.match(out.missing.warnings[0], /FileNotFoundError|No such file/);
  assert.match(out.corrupt.warnings[0], /CompileError|WebAssembly/);
  assert.equal(out.repaired, 'wasm');
});

test('examples/jupyterlite.ipynb runs in Pyodide, with and without IPython.display', () => {
  py.FS.writeFile('/tests/jupyterlite.ipynb', readFileSync(join(ROOT, 'examples', 'jupyterlite.ipynb')));
  const out = pyJson(py, `
import json, scenarios
json.dumps([scenarios.run_notebook("/tests/jupyterlite.ipynb", fake) for fake in (True, False)])
`);
  const [lab, plain] = out;
  for (const run of out) {
    assert.match(run.stdout, /^engine: wasm\n/);
    assert.match(run.stdout, /\n73 pairs\n/);
    assert.match(run.stdout, /same results: True/);
  }
  // As in JupyterLite: the best pairs as an HTML table (no pandas here), the equity as an SVG.
  assert.deepEqual(lab.shown.map((/** @type {string[]} */ s) => s[0]), ['HTML', 'SVG']);
  assert.equal((lab.shown[0][1].match(/<tr>/g) ?? []).length, 11);
  assert.match(lab.shown[1][1], /^<svg [^>]+>.*<polyline .*<polyline .*<circle /s);
  assert.match(lab.stdout, /best pair: \d+ \d+/);
  // Without IPython: printed instead.
  assert.deepEqual(plain.shown, []);
  assert.match(plain.stdout, /fast\s+slow\s+total return %/);
  assert.match(plain.stdout, /[▁▂▃▄▅▆▇█]{20,}\nequity 100,000 -> /);
});

test('examples/jupyterlite.ipynb on the desktop (.venv: native engine, pandas, numpy)', () => {
  const run = spawnSync(VENV_PYTHON, ['-c', `
import json, sys
sys.path.insert(0, "tests/pyodide")
import scenarios
print(json.dumps(scenarios.run_notebook("examples/jupyterlite.ipynb", True)))
`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, QUANT_BACKTEST_BACKEND: 'rust' } });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.match(out.stdout, /^engine: rust\n/);
  assert.deepEqual(out.shown.map((/** @type {string[]} */ s) => s[0]), ['HTML', 'DataFrame', 'SVG']);
});
