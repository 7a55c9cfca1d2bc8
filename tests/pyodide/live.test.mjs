// Live runs (SPEC part 11) through the Python API inside Pyodide (npm `pyodide`, offline, in
// Node) on the wasm engine: engine.live / live_from_json as the native door has them. The
// scenarios of live_scenarios.py (every golden strategy case and four runs on the 300-bar
// sample pushed bar by bar, each checked against the batch run of the same prefix; states
// saved and resumed; bad bars, states and requests; the engine module's own LiveRun; feed over
// an async source) are checked by each engine on itself, then compared with the native
// engine's answers from the repo's .venv: events, positions, cash, equity and saved texts
// exactly, metrics at 1e-9.
//
// Run: node --test tests/pyodide/   (scripts/test-pyodide.sh builds what is missing first)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { GOLDEN_DIR, ROOT, VENV_PYTHON, findWheel, pyJson, pyodideWithWheel } from './helpers.mjs';

const SCRIPT = join(ROOT, 'tests', 'pyodide', 'live_scenarios.py');

/** @type {any} */
let py;
/** @type {any} the native engine's answers */
let native;
/** @type {any} the wasm engine's answers, under Pyodide */
let mine;
/** @type {any} */
let compared;

/** The native engine's answers to live_scenarios.py (QUANT_BACKTEST_BACKEND=rust: demanded). */
function nativeLiveAnswers() {
  if (!existsSync(VENV_PYTHON)) throw new Error(`${VENV_PYTHON} is missing: run scripts/test-pyodide.sh`);
  const run = spawnSync(VENV_PYTHON, [SCRIPT, GOLDEN_DIR], {
    cwd: ROOT,
    env: { ...process.env, QUANT_BACKTEST_BACKEND: 'rust' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the native live scenarios failed (${run.status}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout);
  if (out.scenarios.backend !== 'rust') throw new Error(`the .venv answered on ${out.scenarios.backend}, not the native engine`);
  return out;
}

/** The metric values that are not bit-identical, but for pow() (annualized_return, calmar). @param {string[]} inexact */
const notPow = (inexact) => inexact.filter((p) => !/\.(annualized_return|calmar_ratio): /.test(p));

before(async () => {
  const loaded = await pyodideWithWheel(findWheel());
  assert.deepEqual(loaded.errors, []);
  py = loaded.py;
  py.FS.writeFile('/tests/live_scenarios.py', readFileSync(SCRIPT));
  native = nativeLiveAnswers();
  mine = pyJson(py, 'import json, live_scenarios as s; json.dumps(s.live_scenarios("/tests/golden"))');
  // feed() under Pyodide's own event loop (the WebLoop): awaited at the top level.
  mine.feed = JSON.parse(await py.runPythonAsync(`
import json, live_scenarios as s
json.dumps(await s.feed_scenario("/tests/golden"))
`));
  py.globals.set('native_json', JSON.stringify(native.scenarios));
  py.globals.set('mine_json', JSON.stringify({ ...mine, feed: undefined }));
  compared = pyJson(py, `
import json, scenarios
diffs, inexact = scenarios.compare(json.loads(native_json), json.loads(mine_json))
json.dumps({"diffs": diffs[:20], "n": len(diffs), "inexact": inexact})
`);
});

test('every golden strategy case, pushed bar by bar, equals the batch run after every bar', () => {
  assert.equal(mine.backend, 'wasm');
  const cases = Object.entries(mine.golden);
  assert.equal(cases.length, 47);
  for (const [name, r] of cases) {
    assert.equal(r.backend, 'wasm', name);
    assert.deepEqual(r.failures, [], name);
    assert.equal(r.checked, r.where.length - 1, `${name}: a check after every bar`);
    assert.ok(r.trades_from_events, `${name}: the exit events tell the trades`);
  }
  // Not vacuous: the cases trade, stop, go short and reverse.
  const events = cases.flatMap(([, r]) => r.events);
  assert.ok(cases.filter(([, r]) => r.result.trades.length > 0).length > 30);
  for (const want of [['fill', 'short', 'entry'], ['stop', 'long', 'stop_loss'], ['stop', 'long', 'take_profit'],
    ['stop', 'long', 'trailing_stop'], ['fill', 'long', 'reverse'], ['fill', 'short', 'reverse']]) {
    assert.ok(events.some((e) => e[0] === want[0] && e[4] === want[1] && e[7] === want[2]), `no ${want} event`);
  }
});

test('the wasm engine gives the native engine\'s events, positions, cash, equity, results and saved texts', () => {
  assert.deepEqual(compared.diffs, [], `${compared.n} differences from the native engine`);
  assert.deepEqual(notPow(compared.inexact), [], 'values other than annualized_return that are not bit-identical');
  // The texts compared are the native ones, request included: 100000.0 stays a float.
  const text = mine.golden.sma_cross_round_trip_next_open.state;
  assert.equal(text, native.scenarios.golden.sma_cross_round_trip_next_open.state);
  assert.match(text, /"initial_capital":100000\.0,/);
});

test('runs on the 300-bar sample: prefixes, a stop, shorts with next_open fills, pending orders', () => {
  for (const [name, r] of Object.entries(mine.sample)) {
    assert.deepEqual(r.failures, [], name);
    assert.equal(r.checked, 12, name);
    assert.ok(r.trades_from_events, name);
    assert.ok(r.result.trades.length >= 5, `${name} made ${r.result.trades.length} trades`);
  }
  const kinds = (/** @type {any[]} */ events) => new Set(events.map((e) => `${e[0]} ${e[4]} ${e[7]}`));
  const stop = kinds(mine.sample.stop.events);
  for (const k of ['signal long entry', 'order long open', 'fill long entry', 'stop long stop_loss', 'fill long signal']) {
    assert.ok(stop.has(k), `stop: no ${k}`);
  }
  assert.ok(mine.sample.stop.events.every((/** @type {any[]} */ e) => e[3] === 'LONG'), 'events name the run\'s symbol');
  const shorts = kinds(mine.sample.shorts_next_open.events);
  for (const k of ['fill short entry', 'fill long reverse', 'fill short reverse', 'stop short trailing_stop', 'order short open']) {
    assert.ok(shorts.has(k), `shorts: no ${k}`);
  }
  assert.ok(mine.sample.shorts_next_open.events.every((/** @type {any[]} */ e) => e[3] === null));
  // Where each run stands after each bar: [bars, last date, position, pending, cash, equity].
  const pendings = new Set(mine.sample.shorts_next_open.where.map((/** @type {any[]} */ w) => w[3]));
  assert.deepEqual([...pendings].sort(), ['open_long', 'open_short', 'reverse_long', 'reverse_short', null].sort());
  for (const [name, r] of Object.entries(mine.sample)) {
    const where = /** @type {any[][]} */ (r.where);
    assert.deepEqual(where[0], [0, null, null, null, '0x1.86a0000000000p+16', '0x1.86a0000000000p+16'], `${name} before a bar`);
    assert.equal(where.length, 301);
    where.forEach((w, t) => assert.equal(w[0], t, `${name}: bars`));
    assert.ok(where.some((w) => w[2] !== null) && where.some((w) => w[2] === null), `${name}: in and out`);
    for (const w of where) if (w[2] === null) assert.equal(w[4], w[5], `${name}: flat, equity is cash`);
  }
  assert.ok(mine.sample.shorts_next_open.where.some((/** @type {any[]} */ w) => w[2]?.[0] === 'short'));
  assert.deepEqual(mine.sample.rsi_close_no_curve.result.equity_curve, [], 'equity_curve=False keeps no curve');
  assert.match(mine.sample.rsi_close_no_curve.state, /"equity_curve":null/);
  assert.deepEqual(mine.sample.params.result.params, { fast: 6, slow: 20 });
});

test('a state saved every 50 bars and resumed with live_from_json ends where the unstopped run does', () => {
  for (const [name, r] of Object.entries(mine.resumed)) {
    assert.deepEqual(r.failures, [], name);
    assert.equal(r.texts.length, 6, name);
    assert.equal(r.final, mine.sample[name].state, `${name}: the same final text as the run pushed straight`);
    assert.deepEqual(r.texts, native.scenarios.resumed[name].texts, `${name}: the native engine's texts`);
  }
});

test('a bad bar is refused with the native message and code, and changes nothing', () => {
  const bad = Object.entries(mine.bad_bars).filter(([name]) => name !== 'then');
  assert.equal(bad.length, 16);
  for (const [name, r] of bad) {
    assert.equal(r.error, 'BacktestError', `${name}: ${JSON.stringify(r)}`);
    assert.equal(r.code, 'invalid_market_data', name);
    assert.ok(r.unchanged, `${name}: the run changed`);
    assert.deepEqual(r, native.scenarios.bad_bars[name], name);
  }
  assert.match(mine.bad_bars.date_not_after.msg, /^dates at row 30 \('2020-01-01'\) is not after row 29/);
  assert.equal(mine.bad_bars.close_nan.msg, 'close at row 30 must be a finite number > 0, got NaN');
  assert.equal(mine.bad_bars.missing_low.msg, "the bar at row 30 has no 'low'");
  assert.equal(mine.bad_bars.then[0], 31, 'the next good bar is row 30');
});

test('a corrupt or foreign state is refused with code invalid_state, as natively', () => {
  const cases = Object.entries(mine.bad_states).filter(([name]) => name !== 'still_loads');
  assert.equal(cases.length, 8);
  for (const [name, r] of cases) {
    assert.equal(r.error, 'BacktestError', `${name}: ${JSON.stringify(r)}`);
    assert.equal(r.code, 'invalid_state', name);
    assert.deepEqual(r, native.scenarios.bad_states[name], name);
  }
  assert.equal(mine.bad_states.checksum.msg, 'the live state is corrupt: its checksum does not match its content');
  assert.match(mine.bad_states.inconsistent.msg, /^the live state is corrupt: /);
  assert.equal(mine.bad_states.still_loads[0], 40);
});

test('bad requests are refused when the run is made, with the native message and code', () => {
  for (const [name, r] of Object.entries(mine.bad_requests)) {
    assert.equal(r.error, 'BacktestError', `${name}: ${JSON.stringify(r)}`);
    assert.deepEqual(r, native.scenarios.bad_requests[name], name);
  }
  assert.equal(mine.bad_requests.float_period.msg, 'entry.gt[0].period must be an integer >= 1, got 5.0');
  assert.equal(mine.bad_requests.result_before_a_bar.msg, 'market data is empty: need at least 1 row');
});

test('the engine module\'s LiveRun has the native door\'s shapes: lists of tuples, a tuple position, the result dict', () => {
  const m = mine.engine_module;
  assert.deepEqual(m, native.scenarios.engine_module);
  assert.ok(m.pushes.every((/** @type {any[]} */ p) => p[0] === 'list'));
  const events = m.pushes.flatMap((/** @type {any[]} */ p) => p[1]);
  assert.ok(events.length > 5);
  assert.ok(events.every((/** @type {any[]} */ e) => e[0] === 'tuple' && e.length === 9 && e[4] === 'RAW'));
  assert.deepEqual(m.result_keys, ['metrics', 'trades', 'equity_curve', 'params', 'execution_time_ms']);
  assert.deepEqual(m.params, {});
  assert.deepEqual(m.resumed, [60, m.numbers[3], true]);
});

test('feed pushes an async source under Pyodide\'s event loop, as push does', () => {
  assert.equal(mine.feed.backend, 'wasm');
  assert.equal(mine.feed.bars, 300);
  assert.ok(mine.feed.events > 20);
  assert.equal(mine.feed.same_as_push, true);
  assert.equal(mine.feed.state, native.feed.state);
  assert.equal(mine.feed.state, mine.sample.shorts_next_open.state);
});

test('QUANT_BACKTEST_BACKEND=rust: live runs push on the wasm engine, never the pure-Python one', () => {
  // The pure-Python live run and batch engine are made to fail: a silent fallback fails this
  // test instead of passing on equal numbers. Only making a run whose request holds an
  // integral float may use the pure-Python run (its checks and its text); pushes never do.
  const out = pyJson(py, `
import json, os
import quant_backtest as qb
import quant_backtest.strategy as qs
from quant_backtest import _fallback
from quant_backtest._fallback import live as fallback_live
import live_scenarios as s

def refuse(*args, **kwargs):
    raise AssertionError("the pure-Python engine ran")

saved = (fallback_live.LiveBacktest.__init__, fallback_live.LiveBacktest.push, _fallback.run_backtest)
fallback_live.LiveBacktest.__init__ = refuse
fallback_live.LiveBacktest.push = refuse
_fallback.run_backtest = refuse
os.environ["QUANT_BACKTEST_BACKEND"] = "rust"
try:
    e = qb.RustEngine()
    data = s._sample_long("/tests/golden")
    straight = s.replay(e, data, qs.sma_cross(5, 20), {"symbol": "LONG", "stop_loss": 0.03}, {300}.__contains__)
    live = e.live(qs.sma_cross(5, 20), symbol="LONG", stop_loss=0.03)
    resumed = e.live_from_json(live.to_json())
    fallback_live.LiveBacktest.__init__ = saved[0]  # an integral float: made through its text
    lossy = e.live(qs.sma_cross(5, 20), initial_capital=100000.0, stop_loss=0.03)
    fallback_live.LiveBacktest.__init__ = refuse
    lossy.push_many(s.rows(data))
    answer = {"engine": e.backend, "live": live.backend, "resumed": resumed.backend,
              "failures": straight["failures"], "handle": type(live._handle).__module__,
              "lossy_trades": lossy.result().trade_count, "straight_trades": len(straight["result"]["trades"]),
              "lossy_text": lossy.to_json()[:300]}
finally:
    del os.environ["QUANT_BACKTEST_BACKEND"]
    fallback_live.LiveBacktest.__init__, fallback_live.LiveBacktest.push, _fallback.run_backtest = saved
json.dumps(answer)
`);
  assert.deepEqual([out.engine, out.live, out.resumed], ['wasm', 'wasm', 'wasm']);
  assert.equal(out.handle, 'quant_backtest._wasm_bridge');
  assert.deepEqual(out.failures, []);
  assert.equal(out.lossy_trades, out.straight_trades);
  assert.ok(out.lossy_trades > 5);
  assert.match(out.lossy_text, /"initial_capital":100000\.0/);
});

test('the bridge refuses a stale wasm build without the live exports', () => {
  const out = pyJson(py, `
import json
from quant_backtest import _wasm_bridge as b
glue = b._resource_bytes(b.GLUE_FILE).decode("utf-8")
stale = glue.replace("export class WasmLiveRun", "export class WasmLiveRunGone")
try:
    b._module_body(stale)
    answer = None
except ImportError as e:
    answer = str(e)
json.dumps(answer)
`);
  assert.equal(out, 'the wasm glue has no WasmLiveRun');
});
