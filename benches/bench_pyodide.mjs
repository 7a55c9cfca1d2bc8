// Inside Pyodide (npm `pyodide`, in Node, offline): the wasm engine that the pure-Python wheel
// ships against the pure-Python fallback, both in the same Pyodide. Figures for closing notes;
// never asserted in tests.
//
//   bash scripts/build-pyodide-wheel.sh && node benches/bench_pyodide.mjs
//
// Measures: the wasm engine's start (first RustEngine(): read glue and .wasm, compile,
// instantiate); a 1,000-bar strategy run_backtest (sma_cross 10/30, also with its trades read,
// and an RSI strategy with a stop) and run_signals end to end from Python; a strategy sweep (10 x 10 placeholders); a
// 1,000-bar seed backtest; the 10 x 10 grid (fast 5..50 step
// 5, slow 60..240 step 20: 100 pairs) on 2,520 bars, as run_multiple_backtests and run_grid.
import { findWheel, pyodideWithWheel } from '../tests/pyodide/helpers.mjs';

const wheel = findWheel();
const t0 = performance.now();
const { py, errors } = await pyodideWithWheel(wheel, { golden: false });
if (errors.length) throw new Error(`loadPackage: ${errors.join('; ')}`);
console.log(`Pyodide ${py.version} loaded with the wheel in ${(performance.now() - t0).toFixed(0)} ms (${wheel})`);

py.runPython(`
import os, platform, statistics, sys, time
import quant_backtest as qb
import quant_backtest.strategy as qs
from quant_backtest import _backend

def timed(call, repeat, number):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            call()
        runs.append((time.perf_counter() - start) / number * 1000.0)
    return min(runs), statistics.median(runs)

start = time.perf_counter()
wasm = qb.RustEngine()
started_ms = (time.perf_counter() - start) * 1000.0
python = qb.RustEngine(use_rust=False)
assert (wasm.backend, python.backend) == ("wasm", "python"), (wasm.backend, python.backend)
print(f"engine start (read + compile + instantiate the wasm): {started_ms:.1f} ms; "
      f"python {sys.version.split()[0]} on {sys.platform}")

small = qb.generate_sample_data("BENCH", days=1_000, seed=42)
big = qb.generate_sample_data("BENCH", days=2_520, seed=42)
fast, slow = list(range(5, 55, 5)), list(range(60, 260, 20))
assert sum(1 for f in fast for s in slow if f < s) == 100

rows = []
def case(label, call_w, call_p, repeat, number_w, number_p):
    w = timed(call_w, repeat, number_w)
    p = timed(call_p, repeat, number_p)
    rows.append((label, w, p))
    print(f"{label:<48} wasm best {w[0]:9.3f} ms (median {w[1]:9.3f})   "
          f"python best {p[0]:9.2f} ms (median {p[1]:9.2f})   {p[0] / w[0]:6.1f}x")

for e in (wasm, python):  # warm up, and check that both agree
    e.run_sma_backtest(small, 10, 30)
a, b = wasm.run_sma_backtest(small, 10, 30), python.run_sma_backtest(small, 10, 30)
assert a.trades == b.trades and list(a.equity_curve) == list(b.equity_curve)
ga = wasm.run_multiple_backtests(big, fast, slow)
gb = python.run_multiple_backtests(big, fast, slow)
assert [(f, s, r.trade_count, r.total_return) for f, s, r in ga] == \\
       [(f, s, r.trade_count, r.total_return) for f, s, r in gb]

cross = qs.sma_cross(10, 30)
rsi = qs.Strategy(entry=qs.rsi(14) < 30, exit=qs.rsi(14) > 70, stop_loss=0.05)
for strat in (cross, rsi):
    a, b = wasm.run_backtest(small, strat), python.run_backtest(small, strat)
    assert a.trades == b.trades and list(a.equity_curve) == list(b.equity_curve)
case("1,000-bar run_backtest(sma_cross(10, 30))",
     lambda: wasm.run_backtest(small, cross), lambda: python.run_backtest(small, cross), 7, 200, 5)
# The wasm engine's trades are made when first read: the same run with them read.
case("1,000-bar run_backtest(sma_cross(10, 30)).trades",
     lambda: wasm.run_backtest(small, cross).trades,
     lambda: python.run_backtest(small, cross).trades, 7, 200, 5)
case("1,000-bar run_backtest(rsi < 30 / > 70, stop 5%)",
     lambda: wasm.run_backtest(small, rsi), lambda: python.run_backtest(small, rsi), 7, 200, 5)
entries = [i % 20 == 0 for i in range(1_000)]
exits = [i % 20 == 10 for i in range(1_000)]
case("1,000-bar run_signals",
     lambda: wasm.run_signals(small, entries, exits),
     lambda: python.run_signals(small, entries, exits), 7, 200, 5)
swept = qs.Strategy(entry=qs.sma(qs.param("fast")).crosses_above(qs.sma(qs.param("slow"))),
                    exit=qs.sma(qs.param("fast")).crosses_below(qs.sma(qs.param("slow"))))
grid = {"fast": fast, "slow": slow}
case("sweep 10x10 placeholders on 2,520 bars (columns)",
     lambda: wasm.sweep(big, swept, grid, as_frame=False),
     lambda: python.sweep(big, swept, grid, as_frame=False), 5, 5, 1)
case("1,000-bar backtest (10/30), end to end",
     lambda: wasm.run_sma_backtest(small, 10, 30), lambda: python.run_sma_backtest(small, 10, 30),
     7, 200, 5)
case("10x10 grid on 2,520 bars, run_multiple_backtests",
     lambda: wasm.run_multiple_backtests(big, fast, slow),
     lambda: python.run_multiple_backtests(big, fast, slow), 5, 10, 1)
case("10x10 grid on 2,520 bars, run_grid (columns)",
     lambda: wasm.run_grid(big, fast, slow), lambda: python.run_grid(big, fast, slow), 5, 10, 1)
case("10x10 grid, run_multiple_backtests(include_details)",
     lambda: wasm.run_multiple_backtests(big, fast, slow, include_details=True),
     lambda: python.run_multiple_backtests(big, fast, slow, include_details=True), 5, 5, 1)
bars = [list(getattr(big, c)) for c in ("open", "high", "low", "close", "volume")]
def make_python_env():
    os.environ["QUANT_BACKTEST_BACKEND"] = "python"
    try:
        qb.MarketData("B", list(big.dates), *bars)
    finally:
        del os.environ["QUANT_BACKTEST_BACKEND"]
case("MarketData from lists, 2,520 bars (validation)",
     lambda: qb.MarketData("B", list(big.dates), *bars), make_python_env, 5, 20, 5)
`);
