// The browser check's body, shared by the page (main thread) and its module Worker (where
// JupyterLite runs its kernel): load Pyodide from the local node_modules copy, install the
// wheel with loadPackage, run the quick-start backtest, a grid and a live run, and report.
import { loadPyodide } from '/pyodide/pyodide.mjs';

/** @param {string} wheelUrl @param {string} scenariosUrl */
export async function run(wheelUrl, scenariosUrl) {
  const t0 = performance.now();
  const py = await loadPyodide({ indexURL: '/pyodide/' });
  const loadedMs = performance.now() - t0;
  /** @type {string[]} */
  const errors = [];
  await py.loadPackage(wheelUrl, { errorCallback: (m) => errors.push(m), messageCallback: () => {} });
  py.FS.writeFile('/home/pyodide/scenarios.py', await (await fetch(scenariosUrl)).text());
  const out = JSON.parse(py.runPython(`
import json, sys, time, warnings
sys.path.insert(0, "/home/pyodide")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from quant_backtest import RustEngine, generate_sample_data
    import scenarios
    engine = RustEngine()
    data = generate_sample_data("DEMO", days=1_000, start_price=100.0, seed=42)
    start = time.perf_counter()
    result = engine.run_sma_backtest(data, fast_period=10, slow_period=30)
    ms = (time.perf_counter() - start) * 1000
    grid = engine.run_multiple_backtests(data, range(5, 50, 5), range(20, 200, 20))
    # A live run of the same bars, one at a time (LIVE_REQUEST in browser.test.mjs).
    import quant_backtest as qb
    import quant_backtest.strategy as qs
    live = engine.live(qs.sma_cross(5, 20), symbol="DEMO", stop_loss=0.03)
    columns = (data.dates, data.open, data.high, data.low, data.close, data.volume)
    events = live.push_many(qb.Bar(*row) for row in zip(*columns))
    batch = engine.run_backtest(data, qs.sma_cross(5, 20), stop_loss=0.03)
json.dumps({
    "backend": engine.get_engine_info()["backend"],
    "platform": sys.platform,
    "result_backend": result.backend,
    "result": scenarios.result_json(result),
    "grid": [[f, s, scenarios.result_json(r, details=False)] for f, s, r in grid],
    "warnings": [str(w.message) for w in caught],
    "backtest_ms": ms,
    "live": {
        "backend": live.backend,
        "kinds": sorted({e.kind for e in events}),
        "same_as_batch": scenarios.strategy_json(live.result()) == scenarios.strategy_json(batch),
        "state": live.to_json(),
    },
})
`));
  return { ...out, errors, loadedMs, totalMs: performance.now() - t0 };
}
