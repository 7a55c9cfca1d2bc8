// Walk-forwards (SPEC part 12) through the Python API inside Pyodide on the wasm engine,
// against the native engine of the repo's .venv: walk_scenarios.py runs every golden walk
// case and refusal (one asset's and a universe's), three seeded sample walks, three on sample
// universes, a golden universe case through the engine module's portfolio_walk_forward itself,
// and refusals on a universe of values JS numbers would change, on each engine. Windows, chosen
// params, equity, trades (with their symbol) and refusals must be the same exactly; metrics
// too, but for the pow() metrics (at 1e-12). Universe walks run on wasm: only the refusals of
// such values take the bridge's pure-Python walk.
//
// Run: node --test tests/pyodide/   (scripts/test-pyodide.sh builds what is missing first)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { GOLDEN_DIR, ROOT, VENV_PYTHON, findWheel, pyJson, pyodideWithWheel } from './helpers.mjs';

const SCRIPT = join(ROOT, 'tests', 'pyodide', 'walk_scenarios.py');

/** @type {any} */
let compared;

before(async () => {
  assert.ok(existsSync(VENV_PYTHON), `${VENV_PYTHON} is missing: run scripts/test-pyodide.sh`);
  const run = spawnSync(VENV_PYTHON, [SCRIPT, GOLDEN_DIR], {
    cwd: ROOT,
    env: { ...process.env, QUANT_BACKTEST_BACKEND: 'rust' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the native walk scenarios failed (${run.status}):\n${run.stderr}`);
  const loaded = await pyodideWithWheel(findWheel());
  assert.deepEqual(loaded.errors, []);
  const py = loaded.py;
  py.FS.writeFile('/tests/walk_scenarios.py', readFileSync(SCRIPT));
  py.globals.set('native_json', run.stdout);
  compared = pyJson(py, `
import json, walk_scenarios as s
from quant_backtest import _wasm_bridge as bridge
# which universe walks take the bridge's pure-Python walk instead of wasm (by their request)
fallback_walks = []
pure_walk = bridge._fallback.walk_forward_portfolio
def counted(assets, *args):
    fallback_walks.append([a["symbol"] for a in assets])
    return pure_walk(assets, *args)
bridge._fallback.walk_forward_portfolio = counted
native = json.loads(native_json)
mine = s.scenarios("/tests/golden")
bridge._fallback.walk_forward_portfolio = pure_walk
json.dumps({
    "backends": [native["backend"], mine["backend"]],
    "names": [r["name"] for r in mine["runs"]],
    "diffs": [[n["name"], s.differences(n["result"], m["result"])[:5]] for n, m in zip(native["runs"], mine["runs"]) if s.differences(n["result"], m["result"])],
    "windows": sum(len(r["result"]["windows"]) for r in mine["runs"]),
    "trades": sum(len(r["result"]["trades"]) for r in mine["runs"]),
    "refusals": [native["refusals"], mine["refusals"]],
    "fallback_walks": len(fallback_walks),
    "universe_samples": [x[0] for x in s.universe_samples()],
    "universe_refusals": [x[0] for x in s.universe_refusals()],
})
`);
});

test('the wasm engine under Pyodide runs the walk-forwards', () => {
  assert.deepEqual(compared.backends, ['rust', 'wasm']);
  const golden = (/** @type {string} */ name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8')).length;
  assert.equal(compared.universe_samples.length, 3);
  assert.equal(compared.names.length, golden('walks.json') + golden('portfolio_walks.json') + 3 + 3 + 1);
  for (const name of compared.universe_samples) assert.ok(compared.names.includes(name), name);
  assert.ok(compared.names.some((/** @type {string} */ n) => n.startsWith('direct_')));
  assert.ok(compared.windows > 20 && compared.trades > 20, JSON.stringify(compared));
});

test('universe walks run on wasm: only a refusal of a value JS would change takes the pure-Python walk', () => {
  // universe_max_positions_float (2.0) and universe_train_float (100.0): the whole walk in
  // pure Python, for the native wording; every other universe walk and refusal goes to wasm
  assert.equal(compared.fallback_walks, 2);
});

test('every walk-forward equals the native one: windows, params, equity, trades, metrics', () => {
  assert.deepEqual(compared.diffs, []);
});

test('every refusal has the native class, message and code', () => {
  const [native, wasm] = compared.refusals;
  const golden = (/** @type {string} */ name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8')).length;
  assert.equal(native.length, golden('walk_errors.json') + golden('portfolio_walk_errors.json') + compared.universe_refusals.length);
  assert.equal(compared.universe_refusals.length, 4);
  assert.ok(native.every((/** @type {any[]} */ r) => r[1] === 'BacktestError'), JSON.stringify(native));
  assert.deepEqual(wasm, native);
});
