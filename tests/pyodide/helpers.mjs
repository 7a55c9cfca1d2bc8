// Shared by the Pyodide tests (and benches/bench_pyodide.mjs): where things are, the wheel,
// a Pyodide with the wheel installed, and the native engine's answers from the repo's .venv.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide } from 'pyodide';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PYODIDE_DIR = join(ROOT, 'node_modules', 'pyodide');
export const GOLDEN_DIR = join(ROOT, 'tests', 'golden');
export const SCENARIOS = join(ROOT, 'tests', 'pyodide', 'scenarios.py');
export const VENV_PYTHON = join(ROOT, '.venv', 'bin', 'python');

/**
 * The wheel to test: $QUANT_BACKTEST_PYODIDE_WHEEL, else the one in dist/pyodide/.
 * Throws with the command to run when there is none.
 */
export function findWheel() {
  const given = process.env.QUANT_BACKTEST_PYODIDE_WHEEL;
  if (given) {
    if (!existsSync(given)) throw new Error(`QUANT_BACKTEST_PYODIDE_WHEEL=${given} does not exist`);
    return given;
  }
  const dir = join(ROOT, 'dist', 'pyodide');
  const wheels = existsSync(dir) ? readdirSync(dir).filter((f) => /^quant_backtest-.+-py3-none-any\.whl$/.test(f)) : [];
  if (wheels.length !== 1) {
    throw new Error(`expected one wheel in ${dir}, found ${wheels.length}: run \`bash scripts/build-pyodide-wheel.sh\` (or scripts/test-pyodide.sh)`);
  }
  return join(dir, wheels[0]);
}

/**
 * A fresh Pyodide (offline, from node_modules) with the wheel installed through loadPackage.
 * loadPackage reports failures through its callbacks instead of throwing: every errorCallback
 * message is returned in `errors` (the tests fail on any).
 * @param {string} wheel absolute path
 * @param {{ golden?: boolean }} [options] copy tests/golden and scenarios.py into /tests
 */
export async function pyodideWithWheel(wheel, { golden = true } = {}) {
  const py = await loadPyodide({ indexURL: PYODIDE_DIR + '/' });
  /** @type {string[]} */
  const errors = [];
  /** @type {string[]} */
  const messages = [];
  await py.loadPackage(wheel, { errorCallback: (m) => errors.push(m), messageCallback: (m) => messages.push(m) });
  if (golden) {
    py.FS.mkdirTree('/tests/golden');
    for (const f of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json'))) {
      py.FS.writeFile(`/tests/golden/${f}`, readFileSync(join(GOLDEN_DIR, f)));
    }
    py.FS.writeFile('/tests/scenarios.py', readFileSync(SCENARIOS));
    py.runPython('import sys\nif "/tests" not in sys.path: sys.path.insert(0, "/tests")');
  }
  return { py, errors, messages };
}

/** Runs Python that ends in an expression and parses that JSON string. @param {any} py @param {string} code */
export function pyJson(py, code) {
  return JSON.parse(py.runPython(code));
}

/**
 * The native engine's answers to scenarios.py, from the repository's .venv (built by
 * `maturin develop` / scripts/test-pyodide.sh). QUANT_BACKTEST_BACKEND=rust makes a missing
 * native module an error rather than a silent pure-Python answer.
 */
export function nativeAnswers() {
  if (!existsSync(VENV_PYTHON)) throw new Error(`${VENV_PYTHON} is missing: run scripts/test-pyodide.sh (it builds the native module)`);
  const run = spawnSync(VENV_PYTHON, [SCENARIOS, GOLDEN_DIR], {
    cwd: ROOT,
    env: { ...process.env, QUANT_BACKTEST_BACKEND: 'rust' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the native scenarios failed (${run.status}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout);
  if (out.scenarios.backend !== 'rust') throw new Error(`the .venv answered on ${out.scenarios.backend}, not the native engine`);
  return out;
}

/** Bytes of a file, for the report. @param {string} path */
export const sizeOf = (path) => statSync(path).size;

/**
 * A float from Python's `float.hex()` form (`-0x1.8p+3`, `0x0.0p+0`, `nan`, `inf`), exactly.
 * @param {string} text
 */
export function fromHex(text) {
  if (text === 'nan') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  const m = /^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$/.exec(text);
  if (!m) throw new Error(`not a float.hex() value: ${text}`);
  const [, sign, lead, frac, exp] = m;
  // At most 1 + 52 bits: exact as a double; scaling by powers of two is exact too.
  const mantissa = parseInt(lead + frac, 16);
  let value = mantissa * 2 ** (Number(exp) - 4 * frac.length);
  if (Number(exp) - 4 * frac.length < -1074) {
    value = mantissa * 2 ** -(4 * frac.length) * 2 ** Number(exp); // subnormal: two exact steps
  }
  return sign ? -value : value;
}
