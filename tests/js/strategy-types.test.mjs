// The TypeScript declarations cannot drift from the Rust core: the names the engine's own
// `catalog()` lists (settings, metrics, indicators with their params and outputs, price fields,
// sides, exit reasons) are exactly the names index.d.ts (and strategy.d.ts, when the package
// has one) declares. The .d.ts text is parsed here; a new setting or metric in Rust fails this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PKG = dirname(createRequire(import.meta.url).resolve('quant-backtest/package.json'));
const raw = await import(pathToFileURL(join(PKG, 'wasm/quant_backtest.js')).href);
raw.initSync({ module: readFileSync(join(PKG, 'wasm/quant_backtest_bg.wasm')) });
const CATALOG = raw.catalog();
const DTS = readFileSync(join(PKG, 'index.d.ts'), 'utf8');

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const sorted = (xs) => [...xs].sort();

/** The body of `export interface NAME ... { ... }` (braces balanced). */
function block(text, name) {
  const m = new RegExp(`export (?:declare )?(?:interface|class) ${name}\\b[^{]*\\{`).exec(text);
  assert.ok(m, `the .d.ts declares ${name}`);
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; depth > 0 && i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
  }
  return text.slice(start, i - 1);
}

/** The member names at the top level of a block (`name?: ...` / `readonly name: ...`). */
function members(body) {
  const out = [];
  let depth = 0;
  for (const line of body.replace(/\/\*\*[\s\S]*?\*\//g, '').split('\n')) {
    if (depth === 0) {
      const m = /^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:/.exec(line);
      if (m) out.push(m[1]);
    }
    for (const ch of line) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  }
  return out;
}

/** The string literals of `export type NAME = 'a' | 'b' ...;`. */
function union(text, name) {
  const m = new RegExp(`export type ${name} =([^;]*);`).exec(text);
  assert.ok(m, `the .d.ts declares type ${name}`);
  return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
}

test('settings: StrategySettings (camelCase) and WireSettings (snake_case) are the catalog settings', () => {
  assert.ok(CATALOG.settings.length >= 13);
  assert.deepEqual(members(block(DTS, 'StrategySettings')), CATALOG.settings.map(camel));
  assert.deepEqual(members(block(DTS, 'WireSettings')), CATALOG.settings);
});

test('metrics: StrategyMetrics, StrategyResult and the sweep columns name every catalog metric, integers as Int32Array', () => {
  const names = CATALOG.metrics.map((m) => camel(m.name));
  assert.deepEqual(members(block(DTS, 'StrategyMetrics')), names);
  const result = members(block(DTS, 'StrategyResult'));
  assert.deepEqual(result.filter((k) => names.includes(k)), names);
  const columns = block(DTS, 'SweepMetricColumns');
  assert.deepEqual(members(columns), names);
  for (const m of CATALOG.metrics) {
    const type = m.integer ? 'Int32Array' : 'Float64Array';
    assert.match(columns, new RegExp(`\\b${camel(m.name)}: ${type};`), `${m.name} is ${type}`);
  }
});

test('indicators: names, params and outputs are the catalog', () => {
  const names = CATALOG.indicators.map((i) => i.name);
  assert.deepEqual(union(DTS, 'IndicatorName'), names);
  const params = block(DTS, 'IndicatorParams');
  assert.deepEqual(members(params), names);
  for (const ind of CATALOG.indicators) {
    const m = new RegExp(`\\n\\s*${ind.name}: \\{([^}]*)\\};`).exec(params);
    assert.ok(m, `IndicatorParams.${ind.name}`);
    const declared = [...m[1].matchAll(/(\w+)(\??):/g)].map((x) => [x[1], x[2] === '?']);
    // a param with a default may be left out (optional); one without is required
    assert.deepEqual(declared, ind.params.map((p) => [p.name, p.default !== null]), `params of ${ind.name}`);
  }
  const outputs = block(DTS, 'IndicatorOutputs');
  const multi = CATALOG.indicators.filter((i) => i.outputs.length > 0);
  assert.deepEqual(members(outputs), multi.map((i) => i.name));
  for (const ind of multi) {
    const m = new RegExp(`\\n\\s*${ind.name}: ([^;]*);`).exec(outputs);
    assert.deepEqual([...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]), ind.outputs, `outputs of ${ind.name}`);
  }
  // atr is the one indicator without a source column
  const sourced = union(DTS, 'SourcedIndicator');
  assert.deepEqual(sourced, CATALOG.indicators.filter((i) => !i.source).map((i) => i.name));
  assert.match(DTS, /export type SourcedIndicator = Exclude<IndicatorName, 'atr'>;/);
});

test('price fields, sides, exit reasons and trade fields are the catalog', () => {
  assert.deepEqual(union(DTS, 'PriceField'), CATALOG.price_fields);
  assert.deepEqual(union(DTS, 'Side'), CATALOG.sides);
  assert.deepEqual(union(DTS, 'ExitReason'), CATALOG.exit_reasons);
  const trade = [...members(block(DTS, 'Trade')), ...members(block(DTS, 'StrategyTrade'))];
  assert.deepEqual(sorted(trade), sorted([...CATALOG.trade_fields.map(camel), 'entryDate', 'exitDate']));
});

test('strategy.d.ts (the builder), when the package has one, names every indicator and setting', { skip: !existsSync(join(PKG, 'strategy.d.ts')) && 'no strategy.d.ts in this build' }, () => {
  const text = readFileSync(join(PKG, 'strategy.d.ts'), 'utf8');
  for (const ind of CATALOG.indicators) assert.match(text, new RegExp(`\\b${ind.name}\\b`), `strategy.d.ts names ${ind.name}`);
  for (const s of CATALOG.settings) assert.match(text, new RegExp(`\\b${camel(s)}\\b`), `strategy.d.ts names ${camel(s)}`);
});
