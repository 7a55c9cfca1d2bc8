// Walk-forwards (SPEC part 12) through the Python API inside Pyodide on the wasm engine,
// against the native engine of the repo's .venv: walk_scenarios.py runs every golden walk
// case and refusal and three seeded sample walks on each engine. Windows, chosen params,
// equity, trades and refusals must be the same exactly; metrics too, but for the pow()
// metrics (at 1e-12).
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
native = json.loads(native_json)
mine = s.scenarios("/tests/golden")
json.dumps({
    "backends": [native["backend"], mine["backend"]],
    "names": [r["name"] for r in mine["runs"]],
    "diffs": [[n["name"], s.differences(n["result"], m["result"])[:5]] for n, m in zip(native["runs"], mine["runs"]) if s.differences(n["result"], m["result"])],
    "windows": sum(len(r["result"]["windows"]) for r in mine["runs"]),
    "trades": sum(len(r["result"]["trades"]) for r in mine["runs"]),
    "refusals": [native["refusals"], mine["refusals"]],
})
`);
});

test('the wasm engine under Pyodide runs the walk-forwards', () => {
  assert.deepEqual(compared.backends, ['rust', 'wasm']);
  const golden = (/** @type {string} */ name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8')).length;
  assert.equal(compared.names.length, golden('walks.json') + golden('portfolio_walks.json') + 3);
  assert.ok(compared.windows > 20 && compared.trades > 20, JSON.stringify(compared));
});

test('every walk-forward equals the native one: windows, params, equity, trades, metrics', () => {
  assert.deepEqual(compared.diffs, []);
});

test('every refusal has the native class, message and code', () => {
  const [native, wasm] = compared.refusals;
  const golden = (/** @type {string} */ name) => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8')).length;
  assert.equal(native.length, golden('walk_errors.json') + golden('portfolio_walk_errors.json'));
  assert.ok(native.every((/** @type {any[]} */ r) => r[1] === 'BacktestError'), JSON.stringify(native));
  assert.deepEqual(wasm, native);
});
