#!/usr/bin/env node
// quant-backtest's command line (`npx quant-backtest <command>`): run, sweep, walk-forward,
// portfolio and sample over CSV files, through the package's Node entry. The same commands,
// flags, outputs and messages as the Python package's `python -m quant_backtest`.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parse as parsePath } from 'node:path';
import { BacktestError, MarketData, RustEngine, Universe, catalog, generateSampleData, strategy as qs } from './node.js';
import { bestIndex } from './core.js';

const PROG = 'quant-backtest';

/** Preset name -> its builder, called with no arguments (its placeholders stay placeholders). */
const PRESETS = Object.freeze({
  sma_cross: qs.smaCross,
  ema_cross: qs.emaCross,
  rsi_reversion: qs.rsiReversion,
  macd_cross: qs.macdCross,
  bollinger_reversion: qs.bollingerReversion,
  donchian_breakout: qs.donchianBreakout,
});

/** A trade's fields, snake_case, in the Python package's `to_dict` order (a portfolio's have `symbol` first). */
const TRADE_FIELDS = Object.freeze(['entry_index', 'exit_index', 'entry_date', 'exit_date', 'entry_price', 'exit_price', 'size', 'pnl', 'return_pct', 'bars_held', 'direction', 'exit_reason']);

/** A bad command line or file: one line on stderr, exit code 2 (as a library error). */
class CliError extends Error {}

/** A bad flag or argument: the command's usage, then the error line, exit code 2. */
class UsageError extends CliError {}

/** @param {string} name snake_case -> camelCase (the library's names) */
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** @param {string} name camelCase -> snake_case (the CSV headers, as the Python package writes them) */
const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// ---------------------------------------------------------------------------------------------
// The commands' flags and help

/**
 * @typedef {{ name: string, value?: string, help: string, multiple?: boolean, required?: boolean, integer?: boolean, float?: boolean }} Flag
 *   `value`: the metavar of a flag that takes one (none: a switch); `integer` / `float`: its value must be one
 * @typedef {{ positional: string, positionalHelp: string, positionals: 'one' | 'many' | 'none',
 *   summary: string, flags: Flag[] }} Command
 */

const STRATEGY_FLAG = { name: 'strategy', value: 'S', required: true, help: `a strategy JSON file or a preset (${Object.keys(PRESETS).join(', ')})` };
const SET_FLAG = { name: 'set', value: 'KEY=VALUE', multiple: true, help: 'bind a strategy placeholder or pass an engine setting (repeatable)' };
const JSON_FLAG = { name: 'json', value: 'OUT', help: "write the result as JSON to OUT ('-' for stdout)" };
const REPORT_FLAG = { name: 'report', value: 'OUT.html', help: 'write the standalone HTML report to OUT.html' };
const PARAM_FLAG = { name: 'param', value: 'NAME=SPEC', multiple: true, required: true, help: 'values of a placeholder: a:b, a:b:step, x,y,z or x (repeatable)' };
const PROGRESS_FLAG = { name: 'no-progress', help: 'no progress bar on stderr' };
/** @param {string} help @returns {Flag} */
const csvFlag = (help) => ({ name: 'csv', value: 'FILE', help });
/** @param {string} help @returns {Flag} */
const maximizeFlag = (help) => ({ name: 'maximize', value: 'METRIC', help });

/** @type {Record<string, Command>} */
const COMMANDS = {
  run: {
    positional: 'DATA.csv',
    positionalHelp: 'the bars',
    positionals: 'one',
    summary: 'backtest a strategy on one CSV file',
    flags: [STRATEGY_FLAG, { name: 'symbol', value: 'SYM', help: "the symbol (default: the file name's stem)" },
      SET_FLAG, JSON_FLAG, csvFlag('write the trades as CSV to FILE'), REPORT_FLAG],
  },
  sweep: {
    positional: 'DATA.csv',
    positionalHelp: 'the bars',
    positionals: 'one',
    summary: 'backtest every combination of params',
    flags: [STRATEGY_FLAG, PARAM_FLAG, maximizeFlag('the metric that picks the best row (default: sharpe_ratio)'),
      SET_FLAG, JSON_FLAG, csvFlag('write the sweep table as CSV to FILE'), REPORT_FLAG, PROGRESS_FLAG],
  },
  'walk-forward': {
    positional: 'DATA.csv',
    positionalHelp: 'the bars',
    positionals: 'one',
    summary: 'walk-forward optimisation of params',
    flags: [STRATEGY_FLAG, PARAM_FLAG, maximizeFlag("the metric that picks each window's params (default: sharpe_ratio)"),
      { name: 'train', value: 'N', required: true, integer: true, help: 'train bars' },
      { name: 'test', value: 'N', required: true, integer: true, help: 'test bars' },
      { name: 'step', value: 'N', integer: true, help: 'bars between windows (default: test)' },
      { name: 'anchored', help: 'every train window starts at the first bar' },
      SET_FLAG, JSON_FLAG, csvFlag('write the out-of-sample trades as CSV to FILE'), REPORT_FLAG, PROGRESS_FLAG],
  },
  portfolio: {
    positional: 'DATA.csv [DATA.csv ...]',
    positionalHelp: 'one file per asset, its stem is the symbol',
    positionals: 'many',
    summary: 'backtest one strategy on several assets with one cash account',
    flags: [STRATEGY_FLAG, SET_FLAG, JSON_FLAG, csvFlag('write the trades as CSV to FILE'), REPORT_FLAG],
  },
  sample: {
    positional: '',
    positionalHelp: '',
    positionals: 'none',
    summary: 'write sample bars as CSV',
    flags: [
      { name: 'symbol', value: 'SYM', help: 'the symbol (default: DEMO)' },
      { name: 'days', value: 'N', integer: true, help: 'bars (default: 252)' },
      { name: 'start-price', value: 'P', float: true, help: 'first price (default: 100)' },
      { name: 'seed', value: 'N', integer: true, help: 'random seed (default: 42)' },
      { name: 'out', value: 'FILE', help: 'write to FILE (default: stdout)' },
    ],
  },
};

// The help and usage are laid out as Python's argparse lays out the Python command line's
// (one line each, the help column at min(longest + 4, 30)), so that both print the same text.
const HELP_ROW = ['-h, --help', 'show this help message and exit'];
const TOP_USAGE = `usage: ${PROG} [-h] COMMAND ...`;

/** @param {Flag} f */
const invocation = (f) => (f.value ? `--${f.name} ${f.value}` : `--${f.name}`);

/** @param {string} name */
function usage(name) {
  const c = COMMANDS[name];
  const flags = c.flags.map((f) => (f.required ? invocation(f) : `[${invocation(f)}]`));
  return [`usage: ${PROG} ${name} [-h]`, ...flags, ...(c.positional ? [c.positional] : [])].join(' ');
}

/**
 * Rows `[text, help]` under headings, argparse's way: a row's help at `column`, or on the next
 * line when its text is too long.
 * @param {number} column @param {[number, string, string][]} rows indent, text, help
 */
function helpRows(column, rows) {
  return rows.map(([indent, text, help]) => {
    const width = column - indent - 2;
    const pad = ' '.repeat(indent);
    if (!help) return pad + text;
    return text.length <= width ? `${pad}${text.padEnd(width)}  ${help}` : `${pad}${text}\n${' '.repeat(column)}${help}`;
  });
}

/** @param {string[]} texts @returns {number} the help column for these row texts (each indented 2) */
const helpColumn = (texts) => Math.min(Math.max(...texts.map((t) => t.length + 2)) + 2, 30);

function topHelp() {
  const names = Object.keys(COMMANDS);
  const column = helpColumn([HELP_ROW[0], 'COMMAND', ...names]);
  return [
    TOP_USAGE,
    '',
    'Backtest trading strategies on CSV market data.',
    '',
    'positional arguments:',
    ...helpRows(column, [[2, 'COMMAND', ''], ...names.map((n) => /** @type {[number, string, string]} */ ([4, n, COMMANDS[n].summary]))]),
    '',
    'options:',
    ...helpRows(column, [[2, HELP_ROW[0], HELP_ROW[1]]]),
  ].join('\n');
}

/** @param {string} name */
function commandHelp(name) {
  const c = COMMANDS[name];
  const positional = c.positional ? c.positional.split(' ')[0] : '';
  /** @type {[number, string, string][]} */
  const options = [[2, HELP_ROW[0], HELP_ROW[1]], ...c.flags.map((f) => /** @type {[number, string, string]} */ ([2, invocation(f), f.help]))];
  const column = helpColumn([...(positional ? [positional] : []), ...options.map((r) => r[1])]);
  const lines = [usage(name), '', c.summary, ''];
  if (positional) lines.push('positional arguments:', ...helpRows(column, [[2, positional, c.positionalHelp]]), '');
  lines.push('options:', ...helpRows(column, options));
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Parsing the command line

/**
 * The positionals and flag values of one command's arguments: `--flag VALUE`, `--flag=VALUE`,
 * switches, `--` (the rest are positionals); `help` when -h/--help is among them.
 * @param {string} name @param {string[]} argv
 * @returns {{ help: boolean, positionals: string[], values: Record<string, any> }}
 */
function parseCommand(name, argv) {
  const c = COMMANDS[name];
  const byName = new Map(c.flags.map((f) => [f.name, f]));
  /** @type {string[]} */
  const positionals = [];
  /** @type {Record<string, any>} */
  const values = {};
  /** @type {string[]} */
  const unknown = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') return { help: true, positionals, values };
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') ? byName.get(arg.slice(2, eq < 0 ? undefined : eq)) : undefined;
    if (!flag) {
      unknown.push(arg);
      continue;
    }
    let value;
    if (!flag.value) {
      if (eq >= 0) throw new UsageError(`argument --${flag.name}: ignored explicit argument '${arg.slice(eq + 1)}'`);
      value = true;
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !(argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) {
      value = argv[++i];
    } else {
      throw new UsageError(`argument --${flag.name}: expected one argument`);
    }
    if (flag.integer || flag.float) value = typedValue(flag, /** @type {string} */ (value));
    if (flag.multiple) (values[flag.name] ??= []).push(value);
    else values[flag.name] = value;
  }
  // As argparse: missing arguments first, then what is left over.
  const extra = c.positionals === 'none' ? positionals : c.positionals === 'one' ? positionals.slice(1) : [];
  const missing = [];
  if (c.positionals !== 'none' && positionals.length === 0) missing.push(c.positional.split(' ')[0]);
  for (const f of c.flags) if (f.required && values[f.name] === undefined) missing.push(`--${f.name}`);
  if (missing.length) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
  if (unknown.length || extra.length) throw new UsageError(`unrecognized arguments: ${[...unknown, ...extra].join(' ')}`);
  return { help: false, positionals, values };
}

/**
 * An integer flag's value (a BigInt beyond 2**53: seeds go up to 2**64) or a float flag's; else
 * the usage error argparse gives.
 * @param {Flag} flag @param {string} text @returns {number | bigint}
 */
function typedValue(flag, text) {
  const t = text.trim();
  if (flag.integer) {
    if (!/^[+-]?\d+$/.test(t)) throw new UsageError(`argument --${flag.name}: invalid int value: '${text}'`);
    return Number.isSafeInteger(Number(t)) ? Number(t) : BigInt(t);
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  const word = t.toLowerCase().replace(/^\+/, '');
  if (word === 'inf' || word === 'infinity') return Infinity;
  if (word === '-inf' || word === '-infinity') return -Infinity;
  if (word === 'nan' || word === '-nan') return NaN;
  throw new UsageError(`argument --${flag.name}: invalid float value: '${text}'`);
}

/**
 * A value from the command line: JSON when it parses as JSON (numbers, true, false, null),
 * else the text itself; the library checks it.
 * @param {string} text @returns {unknown}
 */
function parseValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** @param {string} text @param {string} flag @returns {[string, string]} NAME=VALUE split at the first '=' */
function keyValue(text, flag) {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CliError(`${flag} ${text}: expected ${flag === '--set' ? 'KEY=VALUE' : 'NAME=SPEC'}`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * `--param NAME=SPEC` values: `a:b` the integers a..b, `a:b:step` a, a+step, ... <= b (integers,
 * step > 0), `x,y,z` a list, `x` one value (each item JSON-parsed).
 * @param {string[]} specs @returns {Record<string, unknown[]>}
 */
function parseParams(specs) {
  /** @type {Record<string, unknown[]>} */
  const params = {};
  for (const text of specs) {
    const [name, spec] = keyValue(text, '--param');
    if (Object.hasOwn(params, name)) throw new CliError(`--param ${name} is given twice`);
    params[name] = paramValues(spec, (what) => new CliError(`--param ${text}: ${what}`));
  }
  return params;
}

/**
 * One `--param` SPEC's values. @param {string} spec @param {(what: string) => Error} fail
 * @returns {unknown[]}
 */
function paramValues(spec, fail) {
  if (spec === '') throw fail('an empty SPEC');
  if (spec.includes(':')) {
    const parts = spec.split(':');
    if (parts.length > 3) throw fail('a range is a:b or a:b:step');
    if (!parts.every((p) => /^[+-]?\d+$/.test(p.trim()))) throw fail("a range's bounds and step must be integers");
    const [a, b, step = 1] = parts.map(Number);
    if (step <= 0) throw fail(`the step must be > 0, got ${step}`);
    if (a > b) throw fail(`the range is empty (${a} > ${b})`);
    const values = [];
    for (let v = a; v <= b; v += step) values.push(v);
    return values;
  }
  const items = spec.split(',');
  if (items.some((item) => item.trim() === '')) throw fail('an empty value in the list');
  return items.map(parseValue);
}

/**
 * `--set KEY=VALUE` pairs: a placeholder of the strategy binds it (`params`); any other key is
 * an engine setting (snake_case -> the library's camelCase), checked by the API call.
 * @param {string[] | undefined} pairs @param {any} strategy
 * @returns {{ params: Record<string, unknown>, settings: Record<string, unknown> }}
 */
function parseSets(pairs, strategy) {
  const placeholders = strategy.params();
  /** @type {Record<string, unknown>} */
  const params = {};
  /** @type {Record<string, unknown>} */
  const settings = {};
  for (const text of pairs ?? []) {
    const [key, value] = keyValue(text, '--set');
    if (placeholders.includes(key)) params[key] = parseValue(value);
    else settings[camel(key)] = parseValue(value);
  }
  return { params, settings };
}

// ---------------------------------------------------------------------------------------------
// Files

/** @param {unknown} error @returns {string} why a file could not be read or written */
function fileReason(error) {
  const code = /** @type {any} */ (error)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return /** @type {Error} */ (error).message;
}

/** @param {string} path */
function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read '${path}': ${fileReason(error)}`);
  }
}

/** Writes `text` to `path`, or to stdout when `path` is '-'. @param {string} path @param {string} text */
function writeText(path, text) {
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new CliError(`cannot write '${path}': ${fileReason(error)}`);
  }
}

/** Bars from a CSV file; the symbol: `symbol`, else the file name's stem. @param {string} path @param {string} [symbol] */
function readData(path, symbol) {
  return MarketData.fromCsv(readText(path), { symbol: symbol ?? parsePath(path).name });
}

/** A strategy JSON file, else a preset by name. @param {string} s */
function loadStrategy(s) {
  let isFile = false;
  try {
    isFile = statSync(s).isFile();
  } catch {
    isFile = false;
  }
  if (isFile) return qs.Strategy.fromJSON(readText(s));
  if (Object.hasOwn(PRESETS, s)) return /** @type {(...a: any[]) => any} */ (PRESETS[/** @type {keyof typeof PRESETS} */ (s)])();
  throw new CliError(`strategy '${s}' is neither a file nor a preset (presets: ${Object.keys(PRESETS).join(', ')})`);
}

// ---------------------------------------------------------------------------------------------
// Output

/**
 * A CSV cell: a number as `String(number)` writes it (the shortest round-trip digits: `100`,
 * `1e-7`, `Infinity`; the Python command line writes the same), NaN and null empty, text
 * quoted when needed.
 * @param {unknown} v
 */
function csvCell(v) {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  if (typeof v === 'number') return String(v);
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** @param {string[]} header @param {unknown[][]} rows */
function csvText(header, rows) {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** The trades as CSV (snake_case header; `symbol` first for a portfolio's). @param {readonly any[]} trades @param {boolean} withSymbol */
function tradesCsv(trades, withSymbol) {
  const fields = withSymbol ? ['symbol', ...TRADE_FIELDS] : [...TRADE_FIELDS];
  return csvText(fields, trades.map((t) => fields.map((f) => t[camel(f)])));
}

/** The metrics' snake_case names, in the catalog's order. @returns {string[]} */
function metricNames() {
  return catalog().metrics.map((/** @type {{ name: string }} */ m) => m.name);
}

/** @param {unknown} v */
const shown = (v) => (v === null || v === undefined ? 'null' : typeof v === 'number' && Number.isNaN(v) ? 'null' : String(v));

/** `key: value` lines: `head` first, then every metric of `result`. @param {[string, unknown][]} head @param {any} result */
function summary(head, result) {
  const lines = head.map(([k, v]) => `${k}: ${shown(v)}`);
  for (const name of metricNames()) lines.push(`${name}: ${shown(result[camel(name)])}`);
  return lines.join('\n') + '\n';
}

/**
 * Writes what the flags ask for, in the Python command line's order: the summary on stdout
 * (unless `-` sends a file there), `--json` (`json`, indented as Python's json.dumps(indent=2)),
 * `--csv` (`csv()`), then `--report`.
 * @param {Record<string, any>} flags
 * @param {{ json: unknown, csv: () => string, summary: () => string, report: { result: any, data: any, strategy: any, title: string, best?: any, maximize?: string } }} out
 */
async function emit(flags, out) {
  if (flags.json !== '-' && flags.csv !== '-') process.stdout.write(out.summary());
  if (flags.json !== undefined) writeText(flags.json, JSON.stringify(out.json, null, 2) + '\n');
  if (flags.csv !== undefined) writeText(flags.csv, out.csv());
  if (flags.report !== undefined) {
    const { result, ...options } = out.report;
    // Loaded only when asked for: a plain run needs none of the report's code.
    const { report } = await import('./report-node.js');
    writeText(flags.report, report(result, options));
  }
}

/** A `\r` counter on stderr when it is a terminal (and not --no-progress). @param {Record<string, any>} flags @param {string} label */
function progress(flags, label) {
  if (flags['no-progress'] || !process.stderr.isTTY) return { onProgress: undefined, done() {} };
  let shownOnce = false;
  return {
    onProgress: (/** @type {number} */ done, /** @type {number} */ total) => {
      shownOnce = true;
      process.stderr.write(`\r${label}: ${done}/${total}`);
    },
    done() {
      if (shownOnce) process.stderr.write('\n');
    },
  };
}

/** The report's title: the strategy file's stem (or preset) on the symbols. @param {Record<string, any>} flags @param {string} what */
const titleOf = (flags, what) => `${parsePath(flags.strategy).name} on ${what}`;

// ---------------------------------------------------------------------------------------------
// The commands

/** @typedef {{ positionals: string[], values: Record<string, any> }} Parsed */

/** @param {RustEngine} engine @param {Parsed} args */
async function runCommand(engine, { positionals: [path], values: flags }) {
  const data = readData(path, flags.symbol);
  const strategy = loadStrategy(flags.strategy);
  const { params, settings } = parseSets(flags.set, strategy);
  const result = engine.runBacktest(data, strategy, Object.keys(params).length ? { ...settings, params } : settings);
  await emit(flags, {
    json: result,
    csv: () => tradesCsv(result.trades, false),
    summary: () => summary([['symbol', data.symbol], ['bars', data.length]], result),
    report: { result, data, strategy, title: titleOf(flags, data.symbol) },
  });
}

/**
 * The strategy with the placeholders `--set` binds replaced (the swept ones stay), and the settings.
 * @param {Record<string, any>} flags
 */
function boundStrategy(flags) {
  const strategy = loadStrategy(flags.strategy);
  const { params, settings } = parseSets(flags.set, strategy);
  return { strategy: Object.keys(params).length ? strategy.bind(params) : strategy, settings };
}

/** The library's name of a `--maximize` metric (snake_case -> camelCase). @param {Record<string, any>} flags */
function maximizeOf(flags) {
  const metric = flags.maximize ?? 'sharpe_ratio';
  return { metric, key: camel(metric) };
}

/** @param {RustEngine} engine @param {Parsed} args */
async function sweepCommand(engine, { positionals: [path], values: flags }) {
  const data = readData(path);
  const { strategy, settings } = boundStrategy(flags);
  const params = parseParams(flags.param);
  const { metric, key } = maximizeOf(flags);
  if (!catalog().metrics.some((/** @type {{ name: string }} */ m) => camel(m.name) === key)) {
    // optimize refuses an unknown metric (with its own message) before any work.
    await engine.optimize(data, strategy, params, { ...settings, maximize: key });
  }
  const bar = progress(flags, 'sweep');
  /** @type {Record<string, ArrayLike<number>>} */
  let columns;
  try {
    columns = await engine.sweep(data, strategy, params, { ...settings, onProgress: bar.onProgress });
  } finally {
    bar.done();
  }
  // engine.optimize's choice, from the table already made: the largest metric, NaN never
  // wins, ties go to the first row; then its full run with the settings less the sweep's options.
  const scores = columns[key];
  const best = bestIndex(scores);
  const names = Object.keys(params);
  const bestParams = Object.fromEntries(names.map((n) => [n, columns[n][best]]));
  const { constraint: _c, maxWorkers: _w, ...runSettings } = settings;
  const result = engine.runBacktest(data, strategy, { ...runSettings, params: bestParams });
  const header = Object.keys(columns);
  const rows = Array.from({ length: scores.length }, (_, i) => Object.fromEntries(header.map((h) => [h, columns[h][i]])));
  await emit(flags, {
    json: { maximize: metric, bestParams, best: result, rows },
    csv: () => csvText(header.map((h) => (names.includes(h) ? h : snake(h))), rows.map((r) => header.map((h) => r[h]))),
    summary: () => summary([['combinations', rows.length], ['maximize', metric], ['best_params', JSON.stringify(bestParams)]], result),
    // The heatmap of every row, and the best run's charts.
    report: { result: columns, data, strategy, title: titleOf(flags, data.symbol), best: result, maximize: key },
  });
}

/** @param {RustEngine} engine @param {Parsed} args */
async function walkForwardCommand(engine, { positionals: [path], values: flags }) {
  const data = readData(path);
  const { strategy, settings } = boundStrategy(flags);
  const params = parseParams(flags.param);
  /** @type {Record<string, unknown>} */
  const options = { ...settings, train: flags.train, test: flags.test, maximize: maximizeOf(flags).key };
  if (flags.step !== undefined) options.step = flags.step;
  if (flags.anchored) options.anchored = true;
  // walkForward runs as one call and reports no count: the bar says it runs, then how much ran.
  const bar = progress(flags, 'walk-forward');
  bar.onProgress?.(0, 1);
  /** @type {any} */
  let result;
  try {
    result = await engine.walkForwardAsync(data, strategy, params, options);
    bar.onProgress?.(1, 1);
  } finally {
    bar.done();
  }
  await emit(flags, {
    json: result,
    csv: () => tradesCsv(result.trades, false),
    summary: () => summary([['windows', result.windows.length], ['combinations', result.combinations]], result),
    report: { result, data, strategy, title: titleOf(flags, data.symbol) },
  });
}

/** @param {RustEngine} engine @param {Parsed} args */
async function portfolioCommand(engine, { positionals: paths, values: flags }) {
  const universe = new Universe(paths.map((p) => readData(p)));
  const strategy = loadStrategy(flags.strategy);
  const { params, settings } = parseSets(flags.set, strategy);
  const result = engine.runPortfolio(universe, strategy, Object.keys(params).length ? { ...settings, params } : settings);
  await emit(flags, {
    json: result,
    csv: () => tradesCsv(result.trades, true),
    summary: () => summary([['assets', universe.symbols.length], ['bars', result.dates.length]], result),
    report: { result, data: universe, strategy, title: titleOf(flags, universe.symbols.join(', ')) },
  });
}

/** @param {RustEngine} _engine @param {Parsed} args */
async function sampleCommand(_engine, { values: flags }) {
  const data = generateSampleData(flags.symbol ?? 'DEMO', flags.days ?? 252, flags['start-price'] ?? 100, { seed: flags.seed ?? 42 });
  const { dates, open, high, low, close, volume } = data;
  const rows = dates.map((d, i) => [d, open[i], high[i], low[i], close[i], volume[i]]);
  writeText(flags.out ?? '-', csvText(['date', 'open', 'high', 'low', 'close', 'volume'], rows));
}

/** @type {Record<string, (engine: RustEngine, args: Parsed) => Promise<void>>} */
const HANDLERS = {
  run: runCommand,
  sweep: sweepCommand,
  'walk-forward': walkForwardCommand,
  portfolio: portfolioCommand,
  sample: sampleCommand,
};

/** @param {string} message */
function fail(message) {
  process.stderr.write(`${PROG}: error: ${message}\n`);
  process.exitCode = 2;
}

/** @param {string[]} argv the arguments after the program's name */
async function main(argv) {
  const [name, ...rest] = argv;
  if (name === '-h' || name === '--help') {
    process.stdout.write(topHelp() + '\n');
    return;
  }
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) {
    process.stderr.write(TOP_USAGE + '\n');
    const choices = Object.keys(COMMANDS).map((n) => `'${n}'`).join(', ');
    fail(name === undefined ? 'a command is required' : `argument COMMAND: invalid choice: '${name}' (choose from ${choices})`);
    return;
  }
  const engine = new RustEngine();
  try {
    const args = parseCommand(name, rest);
    if (args.help) {
      process.stdout.write(commandHelp(name) + '\n');
      return;
    }
    await HANDLERS[name](engine, args);
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(usage(name) + '\n');
    if (error instanceof CliError || error instanceof BacktestError || error instanceof TypeError || error instanceof RangeError) {
      fail(error.message);
    } else {
      // Not the user's input: still one line, but not the input's exit code.
      process.stderr.write(`${PROG}: error: ${/** @type {Error} */ (error)?.message ?? error}\n`);
      process.exitCode = 1;
    }
  } finally {
    await engine.close(); // the worker threads, so that the process exits
  }
}

await main(process.argv.slice(2));
