// Live portfolio runs (SPEC part 11) through the Python API inside Pyodide on the wasm engine,
// against the native engine of the repo's .venv: live_portfolio_scenarios.py pushes every
// golden portfolio case and two gappy sample universes instant by instant (each engine checks
// itself against run_portfolio on the started assets so far, after every instant), saves and
// resumes, and tries bad bar sets. Events, positions, cash, equity, saved texts and refusals
// must be the same, exactly; results too, but for the pow() metrics (at 1e-12).
//
// Run: node --test tests/pyodide/   (scripts/test-pyodide.sh builds what is missing first)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { GOLDEN_DIR, ROOT, VENV_PYTHON, findWheel, pyJson, pyodideWithWheel } from './helpers.mjs';

const SCRIPT = join(ROOT, 'tests', 'pyodide', 'live_portfolio_scenarios.py');

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
  if (run.status !== 0) throw new Error(`the native live portfolio scenarios failed (${run.status}):\n${run.stderr}`);
  const loaded = await pyodideWithWheel(findWheel());
  assert.deepEqual(loaded.errors, []);
  const py = loaded.py;
  py.FS.writeFile('/tests/live_portfolio_scenarios.py', readFileSync(SCRIPT));
  py.globals.set('native_json', run.stdout);
  compared = pyJson(py, `
import json, live_portfolio_scenarios as s
native = json.loads(native_json)
mine = s.scenarios("/tests/golden")
same = lambda a, b: json.dumps(a) == json.dumps(b)
diffs = []
for n, m in zip(native["runs"], mine["runs"]):
    for k in ("events", "state", "texts", "positions", "pending", "started", "cash", "equity", "bars"):
        if not same(n[k], m[k]):
            diffs.append([n["name"], k])
    for k, v in n["result"].items():
        if k != "metrics" and not same(v, m["result"][k]):
            diffs.append([n["name"], "result." + k])
    if s._same(n["result"], m["result"]):
        diffs.append([n["name"], "result.metrics", s._same(n["result"], m["result"])])
json.dumps({
    "backends": [native["backend"], mine["backend"]],
    "failures": [[r["name"], r["failures"][:3]] for r in native["runs"] + mine["runs"] if r["failures"]],
    "diffs": diffs[:20],
    "runs": len(mine["runs"]),
    "events": sum(len(r["events"]) for r in mine["runs"]),
    "refusals": [native["refusals"], mine["refusals"]],
    "after": [native["after_refusals"] == mine["after_refusals"]],
    "floats_kept": '"initial_capital":50000.0' in mine["runs"][-2]["state"],
})
`);
});

test('each engine equals its run_portfolio on the started assets after every instant', () => {
  assert.deepEqual(compared.backends, ['rust', 'wasm']);
  assert.deepEqual(compared.failures, []);
  assert.equal(compared.runs, 10);
  assert.ok(compared.events > 300, `${compared.events} events`);
});

test('events, positions, cash, equity, saved texts and results equal the native engine', () => {
  assert.deepEqual(compared.diffs, []);
  assert.ok(compared.floats_kept, 'an integral float stays a float in the saved request');
});

test('bad bar sets: the same messages and codes, the state unchanged', () => {
  const [native, mine] = compared.refusals;
  assert.equal(native.length, 11);
  assert.deepEqual(mine, native);
  assert.ok(native.every((r) => r !== null && r[1] === 'invalid_market_data' && r[2] === true));
  assert.deepEqual(compared.after, [true]);
});
