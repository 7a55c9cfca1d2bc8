// quant-backtest: strategies as data, the builder of the JSON strategy trees (docs/STRATEGIES.md).
// The JS mirror of python/quant_backtest/strategy.py, in camelCase:
//
//   import { strategy as qs } from 'quant-backtest';
//   const fast = qs.sma(10), slow = qs.sma(30);
//   const s = new qs.Strategy({ entry: fast.crossesAbove(slow), exit: fast.crossesBelow(slow), commissionRate: 0.0005 });
//   JSON.stringify(s);   // the canonical wire JSON every engine reads (Python's to_json())
//
// Nodes are frozen values; `equals()` compares their canonical JSON values. The indicator table,
// price columns and setting names are the engine's own (`catalog()`), read on first use, so this
// module imports before the wasm module is initialised.

import { BacktestError, formatFloat, rawExports } from './core.js';

/** @typedef {number | Param} ParamValue a number or a placeholder */
/** @typedef {{ name: string, params: { name: string, default: number | null, integer: boolean }[], outputs: string[], source: boolean }} IndicatorSpec */

const SIDES = /** @type {const} */ (['entry', 'exit', 'short_entry', 'short_exit']);
/** A strategy object's keys (a portfolio's object of strategies has none of them). */
export const STRATEGY_KEYS = [...SIDES, 'settings', 'constraint'];
const COMPARISONS = ['gt', 'lt', 'ge', 'le', 'crosses_above', 'crosses_below'];
const OPERATOR_SYMBOLS = /** @type {Record<string, string>} */ ({ gt: '>', lt: '<', ge: '>=', le: '<=' });
const METHOD_NAMES = /** @type {Record<string, string>} */ ({
  gt: 'gt', lt: 'lt', ge: 'ge', le: 'le', crosses_above: 'crossesAbove', crosses_below: 'crossesBelow',
});
const INVALID_STRATEGY = /** @type {any} */ ('invalid_strategy');

// ---------------------------------------------------------------------------------------------
// The engine's tables (catalog()), read once

/** @type {null | { indicators: Map<string, IndicatorSpec>, priceFields: string[], settings: string[], camelSettings: string[], maxInt: number }} */
let TABLES = null;

function tables() {
  if (TABLES === null) {
    const c = rawExports().catalog();
    TABLES = {
      indicators: new Map(c.indicators.map((/** @type {IndicatorSpec} */ i) => [i.name, i])),
      priceFields: c.price_fields,
      settings: c.settings,
      camelSettings: c.settings.map(camelCase),
      maxInt: c.max_int_param,
    };
  }
  return TABLES;
}

/** @param {string} snake */
function camelCase(snake) {
  return snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

/** The engine's nearest-name rule (prefix first, then edit distance). @param {string} name @param {string[]} candidates */
function nearest(name, candidates) {
  return rawExports().nearestName(name, candidates);
}

/** The setting names a Strategy takes, camelCase, in the table's order. @returns {string[]} */
export function settingNames() {
  return [...tables().camelSettings];
}

// ---------------------------------------------------------------------------------------------
// How values appear in messages (the Python builder's describe_value and repr)

/** @param {unknown} v */
function isNumber(v) {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** An integral number as Python writes an int (2**70 exactly). @param {number} v */
function intText(v) {
  return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
}

/** A value as JSON writes it (describe_value). @param {unknown} v @returns {string} */
export function describeValue(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? intText(v) : formatFloat(v);
  if (v instanceof Node || v instanceof MultiOutputIndicator) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** A value as a JS reader would write it (Python's repr, for TypeErrors). @param {unknown} v */
function repr(v) {
  if (typeof v === 'string') return JSON.stringify(v).replace(/^"|"$/g, "'");
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object' && !(v instanceof Node) && !(v instanceof MultiOutputIndicator)) {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  }
  return describeValue(v);
}

/** A value's type as JS names it. @param {unknown} v */
function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'object') return /** @type {any} */ (v).constructor?.name ?? 'Object';
  return typeof v;
}

/** A number or placeholder inside a node's repr. @param {unknown} v @param {boolean} [float] */
function reprParam(v, float = false) {
  if (v instanceof Param) return String(v);
  if (typeof v === 'number' && float) return formatFloat(v);
  return describeValue(v);
}

// ---------------------------------------------------------------------------------------------
// Nodes

/** Shared by series and conditions: structural equality by canonical JSON value. */
export class Node {
  /** The node's canonical JSON value (a string, a number or an object). @returns {any} */
  toValue() {
    throw new Error('abstract');
  }

  /** The canonical JSON value (so that `JSON.stringify(node)` writes it). */
  toJSON() {
    return this.toValue();
  }

  /** Structural equality: the same canonical JSON value and kind (series or condition). @param {unknown} other */
  equals(other) {
    return other instanceof Node && (other instanceof Series) === (this instanceof Series) && jsonEqual(this.toValue(), other.toValue());
  }

  /** Placeholder names in tree order, repeats included. @returns {string[]} */
  paramNames() {
    return [];
  }

  /** @param {Record<string, unknown>} _values @returns {Node} */
  bindValues(_values) {
    return this;
  }
}

/** @param {any} a @param {any} b @returns {boolean} */
function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * A value per bar: a price column, a constant, a placeholder, an indicator or a lag.
 * `.gt() .lt() .ge() .le() .crossesAbove() .crossesBelow()` against a series or a number build
 * a Comparison.
 */
export class Series extends Node {
  /** @param {Series | number} other */
  gt(other) {
    return new Comparison('gt', this, other);
  }

  /** @param {Series | number} other */
  lt(other) {
    return new Comparison('lt', this, other);
  }

  /** @param {Series | number} other */
  ge(other) {
    return new Comparison('ge', this, other);
  }

  /** @param {Series | number} other */
  le(other) {
    return new Comparison('le', this, other);
  }

  /** True at t >= 1 when this[t-1] < other[t-1] and this[t] > other[t]. @param {Series | number} other */
  crossesAbove(other) {
    return new Comparison('crosses_above', this, other);
  }

  /** True at t >= 1 when this[t-1] > other[t-1] and this[t] < other[t]. @param {Series | number} other */
  crossesBelow(other) {
    return new Comparison('crosses_below', this, other);
  }

  /** This series `periods` bars earlier (NaN for the first `periods` bars). @param {number} [periods] */
  shift(periods = 1) {
    return new Shift(this, periods);
  }

  /** @returns {never} */
  notACondition() {
    throw new TypeError(
      `${this} is a series, not a condition: compare it first (qs.close.gt(qs.sma(50))), ` +
        'then combine conditions with .and() .or() .not()',
    );
  }

  /** A series is not a condition: refused. @param {...unknown} _others @returns {never} */
  and(..._others) {
    return this.notACondition();
  }

  /** A series is not a condition: refused. @param {...unknown} _others @returns {never} */
  or(..._others) {
    return this.notACondition();
  }

  /** A series is not a condition: refused. @returns {never} */
  not() {
    return this.notACondition();
  }
}

/** A builder operand as a series: series stay, numbers become constants. @param {unknown} value @param {string} role @returns {Series} */
function asSeries(value, role) {
  if (value instanceof Series) return value;
  if (value instanceof MultiOutputIndicator) throw new TypeError(value.notASeriesMessage());
  if (isNumber(value)) return new Constant(/** @type {number} */ (value));
  throw new TypeError(
    `${role} must be a series (qs.close, qs.sma(10), ...), a number or qs.param(name), got ${repr(value)} (${typeName(value)})`,
  );
}

/** One of the price columns open, high, low, close, volume. */
export class PriceColumn extends Series {
  /** @param {string} name @param {boolean} [known] (internal: skip the table, for the module's own columns) */
  constructor(name, known = false) {
    super();
    if (!known) {
      const fields = tables().priceFields;
      if (typeof name !== 'string' || !fields.includes(name)) {
        throw new BacktestError(
          `unknown price column ${describeValue(name)}; did you mean '${nearest(String(name), fields)}'?`,
          INVALID_STRATEGY,
        );
      }
    }
    /** @readonly */
    this.name = name;
    Object.freeze(this);
  }

  toValue() {
    return this.name;
  }

  toString() {
    return `qs.${this.name}`;
  }
}

/** A number as a series (the same value on every bar). */
export class Constant extends Series {
  /** @param {number} value */
  constructor(value) {
    super();
    if (!isNumber(value)) throw new TypeError(`a constant must be a number, got ${repr(value)}`);
    const v = Number(value);
    if (!Number.isFinite(v)) {
      throw new BacktestError(`a constant must be a finite number (JSON has no ${describeValue(v)})`, INVALID_STRATEGY);
    }
    /** @readonly */
    this.value = v;
    Object.freeze(this);
  }

  toValue() {
    return this.value;
  }

  toString() {
    return `qs.constant(${describeValue(this.value)})`;
  }
}

/** A named placeholder, filled from the params of a run or a sweep. */
export class Param extends Series {
  /** @param {string} name */
  constructor(name) {
    super();
    if (typeof name !== 'string' || !name) {
      throw new BacktestError(`param must be a non-empty string, got ${describeValue(name)}`, INVALID_STRATEGY);
    }
    /** @readonly */
    this.name = name;
    Object.freeze(this);
  }

  toValue() {
    return { param: this.name };
  }

  paramNames() {
    return [this.name];
  }

  /** @param {Record<string, unknown>} values @returns {Series} */
  bindValues(values) {
    if (!Object.prototype.hasOwnProperty.call(values, this.name)) return this;
    const value = values[this.name];
    if (!isNumber(value)) {
      throw new BacktestError(`param '${this.name}' must be a number, got ${describeValue(value)}`, /** @type {any} */ ('invalid_grid'));
    }
    return new Constant(/** @type {number} */ (value));
  }

  toString() {
    return `qs.param(${repr(this.name)})`;
  }
}

/**
 * An indicator parameter as the engines check it (numbers or placeholders).
 * @param {string} indicator @param {string} key @param {boolean} integer @param {unknown} value @returns {ParamValue}
 */
function checkParam(indicator, key, integer, value) {
  if (value instanceof Param) return value;
  const max = tables().maxInt;
  if (integer) {
    const ok = (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
    if (!ok || Number(value) < 1) {
      throw new BacktestError(`${indicator} ${key} must be an integer >= 1, got ${describeValue(value)}`, INVALID_STRATEGY);
    }
    if (Number(value) > max) {
      throw new BacktestError(`${indicator} ${key} must be an integer <= ${max}, got ${describeValue(value)}`, INVALID_STRATEGY);
    }
    return Number(value);
  }
  if (!isNumber(value) || !Number.isFinite(Number(value)) || Number(value) < 0) {
    // A float parameter (k) is written as a float (-1 -> -1.0), as Python writes the float it expects.
    const shown = typeof value === 'number' ? formatFloat(value) : describeValue(value);
    throw new BacktestError(`${indicator} ${key} must be a finite number >= 0, got ${shown}`, INVALID_STRATEGY);
  }
  return Number(value);
}

/** @param {string} name @returns {IndicatorSpec} */
function indicatorSpec(name) {
  const all = tables().indicators;
  const spec = typeof name === 'string' ? all.get(name) : undefined;
  if (!spec) {
    throw new BacktestError(
      `unknown indicator ${describeValue(name)}; did you mean '${nearest(String(name), [...all.keys()])}'?`,
      INVALID_STRATEGY,
    );
  }
  return spec;
}

/**
 * An indicator of a source series with every parameter explicit, and for macd / bbands the
 * output it names. Build with `qs.sma(10)`, `qs.macd().signal`, ...
 */
export class Indicator extends Series {
  /**
   * @param {string} name
   * @param {Record<string, unknown>} params
   * @param {unknown} [source] a series (default close; none for atr)
   * @param {string | null} [output]
   */
  constructor(name, params, source = null, output = null) {
    super();
    const spec = indicatorSpec(name);
    const known = spec.params.map((p) => p.name);
    for (const key of Object.keys(params)) {
      if (!known.includes(key)) {
        throw new BacktestError(
          `unknown parameter ${describeValue(key)} of indicator '${name}'; did you mean '${nearest(key, known)}'?`,
          INVALID_STRATEGY,
        );
      }
    }
    /** @type {Record<string, ParamValue>} */
    const checked = {};
    for (const p of spec.params) {
      const given = params[p.name];
      if (given === undefined && p.default === null) throw new BacktestError(`${name} ${p.name} is required`, INVALID_STRATEGY);
      checked[p.name] = checkParam(name, p.name, p.integer, given === undefined ? p.default : given);
    }
    if (name === 'macd') {
      const { fast, slow } = checked;
      if (typeof fast === 'number' && typeof slow === 'number' && !(fast < slow)) {
        throw new BacktestError(`macd needs fast < slow, got fast=${intText(fast)} and slow=${intText(slow)}`, INVALID_STRATEGY);
      }
    }
    /** @type {Series | null} */
    let src = null;
    if (spec.source) src = source === null || source === undefined ? close : asSeries(source, `the source of ${name}`);
    else if (source !== null && source !== undefined) throw new TypeError(`${name} has no source: it reads high, low and close`);
    if (spec.outputs.length) {
      if (typeof output !== 'string' || !spec.outputs.includes(output)) {
        throw new BacktestError(`${name} needs an output: one of ${spec.outputs.join(', ')}`, INVALID_STRATEGY);
      }
    } else if (output !== null && output !== undefined) {
      throw new BacktestError(`${name} has one output; got output ${describeValue(output)}`, INVALID_STRATEGY);
    }
    /** @readonly */
    this.name = name;
    /** @readonly @type {Readonly<Record<string, ParamValue>>} */
    this.params = Object.freeze(checked);
    /** @readonly */
    this.source = src;
    /** @readonly */
    this.output = output ?? null;
    Object.freeze(this);
  }

  toValue() {
    /** @type {Record<string, any>} */
    const value = { indicator: this.name };
    for (const [key, item] of Object.entries(this.params)) value[key] = item instanceof Param ? item.toValue() : item;
    if (this.source !== null) value.source = this.source.toValue();
    if (this.output !== null) value.output = this.output;
    return value;
  }

  paramNames() {
    const names = Object.values(this.params).flatMap((p) => (p instanceof Param ? [p.name] : []));
    return this.source === null ? names : names.concat(this.source.paramNames());
  }

  /** @param {Record<string, unknown>} values @returns {Indicator} */
  bindValues(values) {
    /** @type {Record<string, unknown>} */
    const params = {};
    for (const [key, item] of Object.entries(this.params)) params[key] = item instanceof Param ? paramFrom(item.bindValues(values).toValue()) : item;
    const source = this.source === null ? null : this.source.bindValues(values);
    return new Indicator(this.name, params, source, this.output);
  }

  toString() {
    return indicatorRepr(this.name, this.params, this.source) + (this.output ? `.${this.output}` : '');
  }
}

/** @param {string} name @param {Readonly<Record<string, ParamValue>>} params @param {Series | null} source */
function indicatorRepr(name, params, source) {
  const spec = tables().indicators.get(name);
  const args = Object.entries(params).map(([k, v]) => reprParam(v, spec?.params.find((p) => p.name === k)?.integer === false));
  let text = `qs.${name}(${args.join(', ')}`;
  if (source !== null && !source.equals(close)) text += `${args.length ? ', ' : ''}{ source: ${source} }`;
  return `${text})`;
}

/**
 * `qs.macd(...)` / `qs.bbands(...)`: not a series itself; its outputs are (`.macd`, `.signal`,
 * `.hist` / `.upper`, `.middle`, `.lower`).
 */
export class MultiOutputIndicator {
  /** @param {string} name @param {Record<string, unknown>} params @param {unknown} source */
  constructor(name, params, source) {
    const probe = new Indicator(name, params, source, indicatorSpec(name).outputs[0]); // checks the params
    /** @readonly */
    this.name = name;
    /** @readonly */
    this.params = probe.params;
    /** @readonly */
    this.source = probe.source;
  }

  /** The output called `name` as a series. @param {string} name */
  output(name) {
    return new Indicator(this.name, this.params, this.source, name);
  }

  notASeriesMessage() {
    const outputs = indicatorSpec(this.name).outputs;
    return (
      `${this} has several outputs and is not a series itself: ` +
      `use one of ${outputs.map((o) => `.${o}`).join(', ')} (for example ${this}.${outputs[0]})`
    );
  }

  /** @returns {never} */
  refuse() {
    throw new TypeError(this.notASeriesMessage());
  }

  /** Refused: use an output. @param {unknown} _other @returns {never} */
  gt(_other) {
    return this.refuse();
  }

  /** Refused: use an output. @param {unknown} _other @returns {never} */
  lt(_other) {
    return this.refuse();
  }

  /** Refused: use an output. @param {unknown} _other @returns {never} */
  ge(_other) {
    return this.refuse();
  }

  /** Refused: use an output. @param {unknown} _other @returns {never} */
  le(_other) {
    return this.refuse();
  }

  /** Refused: use an output. @param {unknown} _other @returns {never} */
  crossesAbove(_other) {
    return this.refuse();
  }

  /** Refused: use an output. @param {unknown} _other @returns {never} */
  crossesBelow(_other) {
    return this.refuse();
  }

  /** Refused: use an output. @param {unknown} [_periods] @returns {never} */
  shift(_periods) {
    return this.refuse();
  }

  /** @param {unknown} other */
  equals(other) {
    return other instanceof MultiOutputIndicator && this.output(indicatorSpec(this.name).outputs[0]).equals(other.output(indicatorSpec(other.name).outputs[0]));
  }

  toString() {
    return indicatorRepr(this.name, this.params, this.source);
  }
}

/** `qs.macd(...)`: `.macd`, `.signal`, `.hist`. */
export class MACD extends MultiOutputIndicator {
  /** The MACD line: fast EMA - slow EMA. */
  get macd() {
    return this.output('macd');
  }

  /** The signal line: the EMA of the MACD line. */
  get signal() {
    return this.output('signal');
  }

  /** The histogram: macd - signal. */
  get hist() {
    return this.output('hist');
  }
}

/** `qs.bbands(...)`: `.upper`, `.middle`, `.lower`. */
export class BBANDS extends MultiOutputIndicator {
  /** middle + k * population standard deviation. */
  get upper() {
    return this.output('upper');
  }

  /** The SMA of the source. */
  get middle() {
    return this.output('middle');
  }

  /** middle - k * population standard deviation. */
  get lower() {
    return this.output('lower');
  }
}

/** A series `periods` bars earlier: `{"shift": <series>, "periods": 1}`. */
export class Shift extends Series {
  /** @param {unknown} series @param {number} [periods] */
  constructor(series, periods = 1) {
    super();
    const s = asSeries(series, 'the series of shift');
    const ok = (typeof periods === 'number' && Number.isInteger(periods)) || typeof periods === 'bigint';
    if (!ok || Number(periods) < 1) {
      throw new BacktestError(`shift periods must be an integer >= 1, got ${describeValue(periods)}`, INVALID_STRATEGY);
    }
    const max = tables().maxInt;
    if (Number(periods) > max) {
      throw new BacktestError(`shift periods must be an integer <= ${max}, got ${describeValue(periods)}`, INVALID_STRATEGY);
    }
    /** @readonly */
    this.series = s;
    /** @readonly */
    this.periods = Number(periods);
    Object.freeze(this);
  }

  toValue() {
    return { shift: this.series.toValue(), periods: this.periods };
  }

  paramNames() {
    return this.series.paramNames();
  }

  /** @param {Record<string, unknown>} values */
  bindValues(values) {
    return new Shift(this.series.bindValues(values), this.periods);
  }

  toString() {
    return `${this.series}.shift(${this.periods})`;
  }
}

/** A boolean per bar. Combine with `.and()`, `.or()`, `.not()`; nested ands (ors) are flattened. */
export class Condition extends Node {
  /** Every condition holds. @param {...Condition} others @returns {And} */
  and(...others) {
    const checked = others.map((o) => asCondition(o, '.and()'));
    return new And(...flatten(And, this), ...checked.flatMap((c) => flatten(And, c)));
  }

  /** At least one condition holds. @param {...Condition} others @returns {Or} */
  or(...others) {
    const checked = others.map((o) => asCondition(o, '.or()'));
    return new Or(...flatten(Or, this), ...checked.flatMap((c) => flatten(Or, c)));
  }

  /** The condition does not hold. @returns {Not} */
  not() {
    return new Not(this);
  }
}

/** @param {unknown} value @param {string} symbol @returns {Condition} */
function asCondition(value, symbol) {
  if (value instanceof Condition) return value;
  throw new TypeError(
    `${symbol} combines two conditions (comparisons such as qs.close.gt(qs.sma(50))), got ${repr(value)} (${typeName(value)})`,
  );
}

/** @param {Function} kind @param {Condition} condition @returns {Condition[]} */
function flatten(kind, condition) {
  return condition.constructor === kind ? [.../** @type {Combination} */ (condition).conditions] : [condition];
}

/** `{"gt": [a, b]}` and the other comparisons (gt, lt, ge, le, crosses_above, crosses_below). */
export class Comparison extends Condition {
  /** @param {string} op @param {unknown} left @param {unknown} right */
  constructor(op, left, right) {
    super();
    if (!COMPARISONS.includes(op)) {
      throw new BacktestError(`unknown condition ${describeValue(op)}; did you mean '${nearest(String(op), COMPARISONS)}'?`, INVALID_STRATEGY);
    }
    const shown = OPERATOR_SYMBOLS[op] ?? op;
    /** @readonly */
    this.op = op;
    /** @readonly */
    this.left = asSeries(left, `the left side of ${shown}`);
    /** @readonly */
    this.right = asSeries(right, `the right side of ${shown}`);
    Object.freeze(this);
  }

  toValue() {
    return { [this.op]: [this.left.toValue(), this.right.toValue()] };
  }

  paramNames() {
    return this.left.paramNames().concat(this.right.paramNames());
  }

  /** @param {Record<string, unknown>} values */
  bindValues(values) {
    return new Comparison(this.op, this.left.bindValues(values), this.right.bindValues(values));
  }

  toString() {
    // A number on the right reads as written (the builder turns it into a constant).
    const right = this.right instanceof Constant ? describeValue(this.right.value) : String(this.right);
    return `${this.left}.${METHOD_NAMES[this.op]}(${right})`;
  }
}

/** And / Or: a list of at least 2 conditions. */
class Combination extends Condition {
  /** @param {string} key @param {string} symbol @param {unknown[]} conditions */
  constructor(key, symbol, conditions) {
    super();
    if (conditions.length < 2) throw new BacktestError(`${key} needs at least 2 conditions, got ${conditions.length}`, INVALID_STRATEGY);
    /** @readonly */
    this.key = key;
    /** @readonly @type {readonly Condition[]} */
    this.conditions = Object.freeze(conditions.map((c) => asCondition(c, symbol)));
  }

  toValue() {
    return { [this.key]: this.conditions.map((c) => c.toValue()) };
  }

  paramNames() {
    return this.conditions.flatMap((c) => c.paramNames());
  }

  toString() {
    const [first, ...rest] = this.conditions;
    return `${first}.${this.key}(${rest.map(String).join(', ')})`;
  }
}

/** `{"and": [c1, c2, ...]}`: every condition holds. Built by `c1.and(c2)`. */
export class And extends Combination {
  /** @param {...Condition} conditions */
  constructor(...conditions) {
    super('and', '.and()', conditions);
    Object.freeze(this);
  }

  /** @param {Record<string, unknown>} values */
  bindValues(values) {
    return new And(...this.conditions.map((c) => /** @type {Condition} */ (c.bindValues(values))));
  }
}

/** `{"or": [c1, c2, ...]}`: at least one condition holds. Built by `c1.or(c2)`. */
export class Or extends Combination {
  /** @param {...Condition} conditions */
  constructor(...conditions) {
    super('or', '.or()', conditions);
    Object.freeze(this);
  }

  /** @param {Record<string, unknown>} values */
  bindValues(values) {
    return new Or(...this.conditions.map((c) => /** @type {Condition} */ (c.bindValues(values))));
  }
}

/** `{"not": c}`: the condition does not hold (true where c compares NaN). */
export class Not extends Condition {
  /** @param {Condition} condition */
  constructor(condition) {
    super();
    /** @readonly */
    this.condition = asCondition(condition, '.not()');
    Object.freeze(this);
  }

  toValue() {
    return { not: this.condition.toValue() };
  }

  paramNames() {
    return this.condition.paramNames();
  }

  /** @param {Record<string, unknown>} values */
  bindValues(values) {
    return new Not(/** @type {Condition} */ (this.condition.bindValues(values)));
  }

  toString() {
    return `${this.condition}.not()`;
  }
}

// ---------------------------------------------------------------------------------------------
// The builder's vocabulary

export const open = new PriceColumn('open', true);
export const high = new PriceColumn('high', true);
export const low = new PriceColumn('low', true);
export const close = new PriceColumn('close', true);
export const volume = new PriceColumn('volume', true);

/** A placeholder filled by a run's or a sweep's params: `qs.sma(qs.param('fast'))`. @param {string} name */
export function param(name) {
  return new Param(name);
}

/** A number as a series. Rarely needed: comparisons take numbers directly. @param {number} value */
export function constant(value) {
  return new Constant(value);
}

/** @param {string} name @param {unknown} options @returns {unknown} the source */
function sourceOption(name, options) {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object' || Array.isArray(options) || options instanceof Node) {
    throw new TypeError(`the options of qs.${name} must be an object such as { source: qs.high }, got ${repr(options)} (${typeName(options)})`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'source') throw new BacktestError(`unknown option ${describeValue(key)} of qs.${name}; did you mean 'source'?`, 'invalid_argument');
  }
  return /** @type {any} */ (options).source ?? null;
}

/** Simple moving average; first valid index period - 1. @param {ParamValue} period @param {{ source?: Series }} [options] */
export function sma(period, options) {
  return new Indicator('sma', { period }, sourceOption('sma', options));
}

/** Exponential moving average (alpha 2/(period+1), seeded with the SMA). @param {ParamValue} period @param {{ source?: Series }} [options] */
export function ema(period, options) {
  return new Indicator('ema', { period }, sourceOption('ema', options));
}

/** Linearly weighted moving average. @param {ParamValue} period @param {{ source?: Series }} [options] */
export function wma(period, options) {
  return new Indicator('wma', { period }, sourceOption('wma', options));
}

/** Wilder's relative strength index (0..100); first valid index period. @param {ParamValue} [period] @param {{ source?: Series }} [options] */
export function rsi(period, options) {
  return new Indicator('rsi', { period }, sourceOption('rsi', options));
}

/**
 * MACD (TA-Lib's alignment): use `.macd`, `.signal` or `.hist`. Needs fast < slow.
 * @param {ParamValue} [fast] @param {ParamValue} [slow] @param {ParamValue} [signal] @param {{ source?: Series }} [options]
 */
export function macd(fast, slow, signal, options) {
  return new MACD('macd', { fast, slow, signal }, sourceOption('macd', options));
}

/** Bollinger bands: use `.upper`, `.middle` or `.lower`. @param {ParamValue} [period] @param {ParamValue} [k] @param {{ source?: Series }} [options] */
export function bbands(period, k, options) {
  return new BBANDS('bbands', { period, k }, sourceOption('bbands', options));
}

/** Wilder's average true range of high, low and close; first valid index period. @param {ParamValue} [period] */
export function atr(period) {
  return new Indicator('atr', { period });
}

/** Population standard deviation (TA-Lib STDDEV). @param {ParamValue} period @param {{ source?: Series }} [options] */
export function stddev(period, options) {
  return new Indicator('stddev', { period }, sourceOption('stddev', options));
}

/** Rate of change in percent; first valid index period. @param {ParamValue} [period] @param {{ source?: Series }} [options] */
export function roc(period, options) {
  return new Indicator('roc', { period }, sourceOption('roc', options));
}

/** Rolling maximum over period bars (Donchian upper). @param {ParamValue} period @param {{ source?: Series }} [options] */
export function highest(period, options) {
  return new Indicator('highest', { period }, sourceOption('highest', options));
}

/** Rolling minimum over period bars (Donchian lower). @param {ParamValue} period @param {{ source?: Series }} [options] */
export function lowest(period, options) {
  return new Indicator('lowest', { period }, sourceOption('lowest', options));
}

// ---------------------------------------------------------------------------------------------
// Reading JSON values back into nodes (after the engine's checks, see Strategy.fromJSON)

/** @param {any} value @returns {Series} */
function seriesFrom(value) {
  if (typeof value === 'string') return new PriceColumn(value);
  if (isNumber(value)) return new Constant(Number(value));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if ('param' in value) return new Param(value.param);
    if ('shift' in value) return new Shift(seriesFrom(value.shift), value.periods ?? 1);
    if ('indicator' in value) {
      /** @type {Record<string, unknown>} */
      const params = {};
      for (const [k, v] of Object.entries(value)) if (!['indicator', 'source', 'output'].includes(k)) params[k] = paramFrom(v);
      const source = 'source' in value ? seriesFrom(value.source) : null;
      return new Indicator(value.indicator, params, source, value.output ?? null);
    }
  }
  throw new BacktestError(
    `a series must be a price column, a number, {"param": name}, {"indicator": ...} or {"shift": ...}, got ${describeValue(value)}`,
    INVALID_STRATEGY,
  );
}

/** @param {any} value */
function paramFrom(value) {
  return value !== null && typeof value === 'object' && 'param' in value ? new Param(value.param) : value;
}

/** @param {any} value @returns {Condition} */
function conditionFrom(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1) {
    throw new BacktestError(
      `a condition must be an object with one key (gt, lt, ge, le, crosses_above, crosses_below, and, or, not), got ${describeValue(value)}`,
      INVALID_STRATEGY,
    );
  }
  const [[key, operands]] = Object.entries(value);
  if (key === 'not') return new Not(conditionFrom(operands));
  if (key === 'and' || key === 'or') {
    if (!Array.isArray(operands)) throw new BacktestError(`${key} must be a list of conditions`, INVALID_STRATEGY);
    const items = operands.map(conditionFrom);
    return key === 'and' ? new And(...items) : new Or(...items);
  }
  if (!Array.isArray(operands) || operands.length !== 2) throw new BacktestError(`${key} must be a list of 2 series`, INVALID_STRATEGY);
  return new Comparison(key, seriesFrom(operands[0]), seriesFrom(operands[1]));
}

// ---------------------------------------------------------------------------------------------
// The engine's checks of a tree and its settings (parse_strategy, as Python's
// Strategy.from_dict does), with its messages.

/** @param {unknown} strategy @param {Record<string, unknown>} settings */
function engineCheck(strategy, settings) {
  try {
    rawExports().checkStrategy(strategy, settings);
  } catch (e) {
    const error = /** @type {any} */ (e);
    if (error?.name === 'BacktestError') throw new BacktestError(error.message, error.code);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Settings and constraints

/** A constraint compares numbers and placeholders only. @param {Condition} condition @param {string} path */
function checkConstraintOperands(condition, path) {
  if (condition instanceof Comparison) {
    [condition.left, condition.right].forEach((side, index) => {
      if (!(side instanceof Constant || side instanceof Param)) {
        throw new BacktestError(
          `${path}.${condition.op}[${index}] must be a number or {"param": name} in a constraint, got ${describeValue(side.toValue())}`,
          INVALID_STRATEGY,
        );
      }
    });
  } else if (condition instanceof Combination) {
    condition.conditions.forEach((item, index) => checkConstraintOperands(item, `${path}.${condition.key}[${index}]`));
  } else if (condition instanceof Not) {
    checkConstraintOperands(condition.condition, `${path}.not`);
  }
}

/** A constraint with every placeholder bound, on its numbers (constants never cross). @param {Condition} c @returns {boolean} */
function holds(c) {
  if (c instanceof Comparison) {
    const a = c.left.toValue();
    const b = c.right.toValue();
    return { gt: a > b, lt: a < b, ge: a >= b, le: a <= b }[c.op] ?? false;
  }
  if (c instanceof And) return c.conditions.every(holds);
  if (c instanceof Or) return c.conditions.some(holds);
  return !holds(/** @type {Not} */ (c).condition);
}

const CONDITION_OPTIONS = /** @type {const} */ (['entry', 'exit', 'shortEntry', 'shortExit', 'constraint']);
const WIRE_NAME = /** @type {Record<string, string>} */ ({ entry: 'entry', exit: 'exit', shortEntry: 'short_entry', shortExit: 'short_exit', constraint: 'constraint' });

/**
 * Settings given in camelCase: known names (the nearest in the message), then the values as
 * the engine checks them. Returns them snake_case, in the table's order.
 * @param {Record<string, unknown>} given @returns {Record<string, unknown>}
 */
function wireSettings(given) {
  const { settings, camelSettings } = tables();
  for (const key of Object.keys(given)) {
    if (!camelSettings.includes(key)) {
      throw new BacktestError(`unknown setting ${describeValue(key)}; did you mean '${nearest(key, camelSettings)}'?`, 'invalid_parameter');
    }
  }
  /** @type {Record<string, unknown>} */
  const out = {};
  camelSettings.forEach((camel, i) => {
    if (given[camel] !== undefined) out[settings[i]] = given[camel];
  });
  if (Object.keys(out).length) engineCheck({}, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Strategy

/** @typedef {{ entry?: Condition | null, exit?: Condition | null, shortEntry?: Condition | null, shortExit?: Condition | null, constraint?: Condition | null, [setting: string]: unknown }} StrategyOptions */

/**
 * A strategy as a value: the long side (entry, exit), the short side (shortEntry, shortExit), a
 * constraint on its placeholders (the default constraint of a sweep) and execution settings
 * (camelCase: stopLoss, commissionRate, direction, ...). `toJSON()` is the wire object (what
 * Python's `to_dict()` gives, key order too).
 */
export class Strategy {
  /** @param {StrategyOptions} [options] */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError(`Strategy takes an options object ({ entry, exit, ...settings }), got ${repr(options)} (${typeName(options)})`);
    }
    /** @type {Record<string, unknown>} */
    const settings = {};
    /** @type {Record<string, Condition | null>} */
    const conditions = {};
    for (const [key, value] of Object.entries(options)) {
      if (/** @type {readonly string[]} */ (CONDITION_OPTIONS).includes(key)) conditions[key] = /** @type {any} */ (value) ?? null;
      else settings[key] = value;
    }
    for (const name of CONDITION_OPTIONS) {
      const c = conditions[name] ?? null;
      if (c !== null && !(c instanceof Condition)) {
        const hint = /** @type {unknown} */ (c) instanceof Series ? ' (a series; compare it: qs.close.gt(qs.sma(50)))' : '';
        throw new TypeError(`${name} must be a condition or null, got ${repr(c)} (${typeName(c)})${hint}`);
      }
      conditions[name] = c;
    }
    if (conditions.constraint) checkConstraintOperands(conditions.constraint, 'constraint');
    const wire = wireSettings(settings);
    /** @readonly @type {Condition | null} */
    this.entry = conditions.entry;
    /** @readonly @type {Condition | null} */
    this.exit = conditions.exit;
    /** @readonly @type {Condition | null} */
    this.shortEntry = conditions.shortEntry;
    /** @readonly @type {Condition | null} */
    this.shortExit = conditions.shortExit;
    /** @readonly @type {Condition | null} */
    this.constraint = conditions.constraint;
    /** @private */
    this.wire = Object.freeze(wire);
    Object.freeze(this);
  }

  /** The strategy's execution settings, camelCase, in the table's order (a copy). @returns {Record<string, unknown>} */
  get settings() {
    const { settings, camelSettings } = tables();
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [snake, value] of Object.entries(this.wire)) out[camelSettings[settings.indexOf(snake)]] = value;
    return out;
  }

  /** @returns {Record<string, Condition>} the conditions given, by option name */
  conditions() {
    /** @type {Record<string, Condition>} */
    const out = {};
    for (const name of CONDITION_OPTIONS) if (this[name]) out[name] = /** @type {Condition} */ (this[name]);
    return out;
  }

  /** Placeholder names in first-use order: entry, exit, shortEntry, shortExit, then the constraint. @returns {string[]} */
  params() {
    return [...new Set(Object.values(this.conditions()).flatMap((c) => c.paramNames()))];
  }

  /**
   * A copy with the named placeholders replaced by numbers (the rest stay). A constraint left
   * without placeholders is checked and dropped: values that break it are refused (code
   * invalid_grid).
   * @param {Record<string, number>} values @returns {Strategy}
   */
  bind(values) {
    const known = this.params();
    for (const name of Object.keys(values)) {
      if (!known.includes(name)) {
        const hint = known.length ? `; did you mean '${nearest(name, known)}'?` : ' (the strategy has no params)';
        throw new BacktestError(`unknown param ${describeValue(name)}${hint}`, /** @type {any} */ ('invalid_grid'));
      }
    }
    /** @type {Record<string, any>} */
    const bound = {};
    for (const [name, c] of Object.entries(this.conditions())) bound[name] = c.bindValues(values);
    let constraint = bound.constraint ?? null;
    delete bound.constraint;
    if (constraint !== null && constraint.paramNames().length === 0) {
      if (!holds(constraint)) {
        const shown = Object.entries(values).map(([n, v]) => `${n}=${describeValue(v)}`).join(', ');
        throw new BacktestError(`the params ${shown} break the constraint ${this.constraint}`, /** @type {any} */ ('invalid_grid'));
      }
      constraint = null;
    }
    return new Strategy({ ...bound, constraint, ...this.settings });
  }

  /** A copy with these settings (camelCase) added or replacing the strategy's own. @param {Record<string, unknown>} settings */
  withSettings(settings) {
    return new Strategy({ ...this.conditions(), ...this.settings, ...settings });
  }

  /** The canonical wire object: keys entry, exit, short_entry, short_exit, settings, constraint in this order, absent ones omitted. */
  toJSON() {
    /** @type {Record<string, any>} */
    const value = {};
    for (const name of /** @type {const} */ (['entry', 'exit', 'shortEntry', 'shortExit'])) {
      const c = this[name];
      if (c) value[WIRE_NAME[name]] = c.toValue();
    }
    if (Object.keys(this.wire).length) value.settings = { ...this.wire };
    if (this.constraint) value.constraint = this.constraint.toValue();
    return value;
  }

  /**
   * A strategy from its JSON text or value, checked as the engines check it (BacktestError with
   * the path of the first bad node).
   * @param {string | object} json @returns {Strategy}
   */
  static fromJSON(json) {
    let obj = json;
    if (typeof json === 'string') {
      try {
        obj = JSON.parse(json);
      } catch (error) {
        throw new BacktestError(`strategy is not valid JSON: ${/** @type {Error} */ (error).message}`, INVALID_STRATEGY);
      }
    }
    engineCheck(obj, {});
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new BacktestError(`strategy must be an object, got ${describeValue(obj)}`, INVALID_STRATEGY);
    }
    const value = /** @type {Record<string, any>} */ (obj);
    for (const key of Object.keys(value)) {
      if (!STRATEGY_KEYS.includes(key)) {
        throw new BacktestError(`unknown key ${describeValue(key)} in strategy; did you mean '${nearest(key, STRATEGY_KEYS)}'?`, INVALID_STRATEGY);
      }
    }
    /** @type {Record<string, unknown>} */
    const options = {};
    for (const name of CONDITION_OPTIONS) {
      const item = value[WIRE_NAME[name]];
      if (item !== null && item !== undefined) options[name] = conditionFrom(item);
    }
    const settings = value.settings ?? {};
    const { settings: snakeNames, camelSettings } = tables();
    for (const [snake, v] of Object.entries(settings)) options[camelSettings[snakeNames.indexOf(snake)]] = v;
    return new Strategy(options);
  }

  /** The same canonical JSON value. @param {unknown} other */
  equals(other) {
    return other instanceof Strategy && jsonEqual(this.toJSON(), other.toJSON());
  }

  toString() {
    const parts = Object.entries(this.conditions()).map(([n, c]) => `${n}: ${c}`);
    for (const [n, v] of Object.entries(this.settings)) parts.push(`${n}: ${typeof v === 'string' ? repr(v) : describeValue(v)}`);
    return `qs.Strategy({ ${parts.join(', ')} })`;
  }
}

// ---------------------------------------------------------------------------------------------
// Presets (SPEC part 7): each exactly the tree it names (docs/STRATEGIES.md)

/** @param {ParamValue | null | undefined} value @param {string} name @returns {ParamValue} */
function placeholder(value, name) {
  return value === undefined || value === null ? new Param(name) : value;
}

/**
 * A preset's arguments, positional (`smaCross(10, 30, { stopLoss: 0.05 })`) or in one object
 * (`smaCross({ fast: 10, slow: 30, stopLoss: 0.05 })`): its params by name, then the settings.
 * @param {unknown[]} args @param {string[]} names @returns {[Record<string, any>, Record<string, unknown>]}
 */
function presetArguments(args, names) {
  const [first] = args;
  if (args.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Node)) {
    /** @type {Record<string, any>} */
    const values = {};
    /** @type {Record<string, unknown>} */
    const settings = {};
    for (const [k, v] of Object.entries(first)) (names.includes(k) ? values : settings)[k] = v;
    return [values, settings];
  }
  const values = Object.fromEntries(names.map((n, i) => [n, args[i]]));
  const settings = /** @type {Record<string, unknown>} */ (args[names.length] ?? {});
  return [values, settings];
}

/** @param {(p: ParamValue) => Series} average @param {unknown[]} args */
function cross(average, args) {
  const [{ fast: fastIn, slow: slowIn }, settings] = presetArguments(args, ['fast', 'slow']);
  const fast = placeholder(fastIn, 'fast');
  const slow = placeholder(slowIn, 'slow');
  const fastLine = average(fast);
  const slowLine = average(slow);
  const constraint = fast instanceof Param && slow instanceof Param ? fast.lt(slow) : null;
  return new Strategy({ entry: fastLine.crossesAbove(slowLine), exit: fastLine.crossesBelow(slowLine), constraint, ...settings });
}

/** @typedef {Record<string, unknown>} Settings camelCase execution settings */

/**
 * Enter when sma(fast) crosses above sma(slow), exit when it crosses below. A period left
 * undefined is the placeholder param('fast') / param('slow'); with both placeholders the
 * constraint is fast < slow. Arguments positional or in one object.
 * @param {[fast?: ParamValue | null, slow?: ParamValue | null, settings?: Settings] | [{ fast?: ParamValue | null, slow?: ParamValue | null, [setting: string]: unknown }]} args
 */
export function smaCross(...args) {
  return cross(sma, args);
}

/**
 * As smaCross with EMAs.
 * @param {[fast?: ParamValue | null, slow?: ParamValue | null, settings?: Settings] | [{ fast?: ParamValue | null, slow?: ParamValue | null, [setting: string]: unknown }]} args
 */
export function emaCross(...args) {
  return cross(ema, args);
}

/**
 * Enter when rsi(period) crosses below lower, exit when it crosses above upper (14, 30, 70).
 * @param {[period?: ParamValue, lower?: ParamValue, upper?: ParamValue, settings?: Settings] | [{ period?: ParamValue, lower?: ParamValue, upper?: ParamValue, [setting: string]: unknown }]} args
 */
export function rsiReversion(...args) {
  const [{ period = 14, lower = 30, upper = 70 }, settings] = presetArguments(args, ['period', 'lower', 'upper']);
  const line = rsi(period);
  return new Strategy({ entry: line.crossesBelow(lower), exit: line.crossesAbove(upper), ...settings });
}

/**
 * Enter when the MACD line crosses above its signal line, exit when it crosses below (12, 26, 9).
 * @param {[fast?: ParamValue, slow?: ParamValue, signal?: ParamValue, settings?: Settings] | [{ fast?: ParamValue, slow?: ParamValue, signal?: ParamValue, [setting: string]: unknown }]} args
 */
export function macdCross(...args) {
  const [{ fast = 12, slow = 26, signal = 9 }, settings] = presetArguments(args, ['fast', 'slow', 'signal']);
  const lines = macd(fast, slow, signal);
  return new Strategy({ entry: lines.macd.crossesAbove(lines.signal), exit: lines.macd.crossesBelow(lines.signal), ...settings });
}

/**
 * Enter when close crosses below the lower band, exit when it crosses above the middle (20, 2).
 * @param {[period?: ParamValue, k?: ParamValue, settings?: Settings] | [{ period?: ParamValue, k?: ParamValue, [setting: string]: unknown }]} args
 */
export function bollingerReversion(...args) {
  const [{ period = 20, k = 2 }, settings] = presetArguments(args, ['period', 'k']);
  const bands = bbands(period, k);
  return new Strategy({ entry: close.crossesBelow(bands.lower), exit: close.crossesAbove(bands.middle), ...settings });
}

/**
 * Enter when close exceeds the previous bar's highest high of period bars, exit when it falls
 * below the previous bar's lowest low (20).
 * @param {[period?: ParamValue, settings?: Settings] | [{ period?: ParamValue, [setting: string]: unknown }]} args
 */
export function donchianBreakout(...args) {
  const [{ period = 20 }, settings] = presetArguments(args, ['period']);
  return new Strategy({
    entry: close.gt(highest(period, { source: high }).shift(1)),
    exit: close.lt(lowest(period, { source: low }).shift(1)),
    ...settings,
  });
}
