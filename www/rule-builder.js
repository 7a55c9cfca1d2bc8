// The rule builder: each side of a strategy (entry, exit, short entry, short exit) as rows of
// [series] [comparison] [series or number], joined by and/or, each row with a "not" toggle.
// Series: the catalog's indicators (params with their defaults, an output for macd/bbands, a
// price source), the price fields, a number; each with an optional shift. Every number is a
// "leaf": given a name, it becomes a placeholder {"param": name}, which a sweep can vary.
// It reads and writes the wire tree of docs/STRATEGIES.md (the keys in qs's order), so the
// JSON panel and the builder stay one document.

/**
 * @typedef {{ value: number, param: string }} Leaf a number; with a param name: {"param": name}
 * @typedef {{ kind: 'price', field: string, shift: Leaf }
 *   | { kind: 'num', num: Leaf, shift: Leaf }
 *   | { kind: 'ind', name: string, output: string, params: Record<string, Leaf>, source: string, shift: Leaf }} SeriesSpec
 * @typedef {{ left: SeriesSpec, op: string, right: SeriesSpec, not: boolean }} Row
 * @typedef {{ join: 'and' | 'or', rows: Row[] }} Block
 * @typedef {Record<string, Block>} BuilderState side -> block
 * @typedef {import('./catalog.js').Catalog} Catalog
 */

export const SIDES = /** @type {const} */ (['entry', 'exit', 'short_entry', 'short_exit']);
export const OPS = ['gt', 'lt', 'ge', 'le', 'crosses_above', 'crosses_below'];
const OP_LABELS = /** @type {Record<string, string>} */ ({ gt: '>', lt: '<', ge: '≥', le: '≤', crosses_above: 'crosses above', crosses_below: 'crosses below' });
const SIDE_LABELS = /** @type {Record<string, string>} */ ({ entry: 'Long entry', exit: 'Long exit', short_entry: 'Short entry', short_exit: 'Short exit' });

/** @param {number} value @param {string} [param] @returns {Leaf} */
const leaf = (value, param = '') => ({ value, param });
const isObj = (/** @type {unknown} */ v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The sides a direction trades. @param {string} direction */
export function sidesFor(direction) {
  if (direction === 'long_only') return ['entry', 'exit'];
  if (direction === 'short_only') return ['short_entry', 'short_exit'];
  return [...SIDES];
}

// ---------------------------------------------------------------------------------------------
// Builder state -> wire tree

/** @param {Leaf} l @param {boolean} placeholders */
const leafWire = (l, placeholders) => (placeholders && l.param ? { param: l.param } : l.value);

/** @param {Catalog} cat @param {SeriesSpec} s @param {boolean} placeholders */
function seriesWire(cat, s, placeholders) {
  /** @type {unknown} */
  let base;
  if (s.kind === 'price') base = s.field;
  else if (s.kind === 'num') base = leafWire(s.num, placeholders);
  else {
    const ind = indicatorOf(cat, s.name);
    /** @type {Record<string, unknown>} */
    const o = { indicator: s.name };
    for (const p of ind.params) o[p.name] = leafWire(s.params[p.name], placeholders);
    if (ind.source) o.source = s.source;
    if (ind.outputs.length) o.output = s.output;
    base = o;
  }
  const shifted = placeholders && s.shift.param ? true : s.shift.value !== 0;
  return shifted ? { shift: base, periods: leafWire(s.shift, placeholders) } : base;
}

/** @param {Catalog} cat @param {Row} r @param {boolean} placeholders */
function rowWire(cat, r, placeholders) {
  const c = { [r.op]: [seriesWire(cat, r.left, placeholders), seriesWire(cat, r.right, placeholders)] };
  return r.not ? { not: c } : c;
}

/**
 * The sides of the builder as wire trees (an empty side left out).
 * @param {Catalog} cat @param {BuilderState} state @param {string[]} sides
 * @param {boolean} [placeholders] named numbers as {"param": name} (for a sweep), else their values
 * @returns {Record<string, unknown>}
 */
export function toWire(cat, state, sides, placeholders = false) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const side of sides) {
    const b = state[side];
    if (!b || b.rows.length === 0) continue;
    const rows = b.rows.map((r) => rowWire(cat, r, placeholders));
    out[side] = rows.length === 1 ? rows[0] : { [b.join]: rows };
  }
  return out;
}

/** Every named number: name -> its value (the first use's). @param {BuilderState} state */
export function namedValues(state) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const l of leaves(state)) if (l.param && !(l.param in out)) out[l.param] = l.value;
  return out;
}

/** Every leaf of the state, in order. @param {BuilderState} state @returns {Leaf[]} */
export function leaves(state) {
  /** @type {Leaf[]} */
  const out = [];
  const ofSeries = (/** @type {SeriesSpec} */ s) => {
    if (s.kind === 'num') out.push(s.num);
    if (s.kind === 'ind') out.push(...Object.values(s.params));
    out.push(s.shift);
  };
  for (const side of SIDES) for (const r of state[side]?.rows ?? []) (ofSeries(r.left), ofSeries(r.right));
  return out;
}

/** Sets the value of every leaf named `name`. @param {BuilderState} state @param {string} name @param {number} value */
export function setNamed(state, name, value) {
  for (const l of leaves(state)) if (l.param === name) l.value = value;
}

// ---------------------------------------------------------------------------------------------
// Wire tree -> builder state (null where the builder cannot show it: the Custom case)

/** @param {Catalog} cat @param {string} name */
function indicatorOf(cat, name) {
  const ind = cat.indicators.find((i) => i.name === name);
  if (!ind) throw new Error(`no indicator '${name}' in the catalog`);
  return ind;
}

/** @param {unknown} v @param {Record<string, number>} values @returns {Leaf | null} */
function leafOf(v, values) {
  if (typeof v === 'number') return leaf(v);
  if (isObj(v)) {
    const o = /** @type {any} */ (v);
    if (Object.keys(o).length === 1 && typeof o.param === 'string') return leaf(values[o.param] ?? NaN, o.param);
  }
  return null;
}

/** @param {Catalog} cat @param {unknown} v @param {Record<string, number>} values @returns {SeriesSpec | null} */
function seriesOf(cat, v, values) {
  if (isObj(v) && 'shift' in /** @type {any} */ (v)) {
    const o = /** @type {any} */ (v);
    const keys = Object.keys(o);
    if (keys.some((k) => k !== 'shift' && k !== 'periods') || (isObj(o.shift) && 'shift' in o.shift)) return null;
    const shift = o.periods === undefined ? leaf(1) : leafOf(o.periods, values);
    const base = seriesOf(cat, o.shift, values);
    if (!base || !shift) return null;
    return { ...base, shift };
  }
  const none = leaf(0);
  if (typeof v === 'string') return cat.price_fields.includes(v) ? { kind: 'price', field: v, shift: none } : null;
  const num = leafOf(v, values);
  if (num) return { kind: 'num', num, shift: none };
  if (!isObj(v)) return null;
  const o = /** @type {any} */ (v);
  const ind = cat.indicators.find((i) => i.name === o.indicator);
  if (!ind) return null;
  const known = new Set(['indicator', 'source', 'output', ...ind.params.map((p) => p.name)]);
  if (Object.keys(o).some((k) => !known.has(k))) return null;
  /** @type {Record<string, Leaf>} */
  const params = {};
  for (const p of ind.params) {
    const l = o[p.name] === undefined ? (p.default === null ? null : leaf(p.default)) : leafOf(o[p.name], values);
    if (!l) return null;
    params[p.name] = l;
  }
  const source = o.source ?? 'close';
  if (ind.source ? !cat.price_fields.includes(source) : o.source !== undefined) return null;
  const output = o.output ?? ind.outputs[0] ?? '';
  if (ind.outputs.length ? !ind.outputs.includes(output) : o.output !== undefined) return null;
  return { kind: 'ind', name: ind.name, output, params, source, shift: none };
}

/** @param {Catalog} cat @param {unknown} v @param {Record<string, number>} values @returns {Row | null} */
function rowOf(cat, v, values) {
  if (!isObj(v)) return null;
  let o = /** @type {any} */ (v);
  let not = false;
  if (Object.keys(o).length === 1 && isObj(o.not)) {
    not = true;
    o = o.not;
  }
  const keys = Object.keys(o);
  if (keys.length !== 1 || !OPS.includes(keys[0]) || !Array.isArray(o[keys[0]]) || o[keys[0]].length !== 2) return null;
  const left = seriesOf(cat, o[keys[0]][0], values);
  const right = seriesOf(cat, o[keys[0]][1], values);
  return left && right ? { left, op: keys[0], right, not } : null;
}

/**
 * The builder state of a document's sides, or null when a side is not rows joined by one
 * and/or (nested groups, an indicator of an indicator, ...).
 * @param {Catalog} cat @param {Record<string, unknown>} sides @param {Record<string, number>} [values] the placeholders' values
 * @returns {BuilderState | null}
 */
export function fromWire(cat, sides, values = {}) {
  /** @type {BuilderState} */
  const state = emptyState();
  for (const [key, v] of Object.entries(sides)) {
    if (key === 'constraint') continue;
    if (!(/** @type {readonly string[]} */ (SIDES)).includes(key)) return null;
    const o = /** @type {any} */ (v);
    const join = isObj(o) && Object.keys(o).length === 1 && (Array.isArray(o.and) ? 'and' : Array.isArray(o.or) ? 'or' : null);
    const items = join ? o[join] : [o];
    const rows = items.map((/** @type {unknown} */ x) => rowOf(cat, x, values));
    if (rows.some((/** @type {Row | null} */ r) => r === null)) return null;
    state[key] = { join: join || 'and', rows };
  }
  return state;
}

/** @returns {BuilderState} */
export function emptyState() {
  return Object.fromEntries(SIDES.map((s) => [s, /** @type {Block} */ ({ join: 'and', rows: [] })]));
}

/** A new row: SMA 20 > close. @param {Catalog} cat @returns {Row} */
function newRow(cat) {
  return { left: indicatorSeries(cat, 'sma', ''), op: 'gt', right: { kind: 'price', field: 'close', shift: leaf(0) }, not: false };
}

/** @param {Catalog} cat @param {string} name @param {string} output @returns {SeriesSpec} */
function indicatorSeries(cat, name, output) {
  const ind = indicatorOf(cat, name);
  /** @type {Record<string, Leaf>} */
  const params = {};
  for (const p of ind.params) params[p.name] = leaf(p.default ?? 20);
  return { kind: 'ind', name, output: output || ind.outputs[0] || '', params, source: 'close', shift: leaf(0) };
}

// ---------------------------------------------------------------------------------------------
// The DOM

/**
 * @param {{ root: HTMLElement, catalog: Catalog, onChange: () => void }} o
 */
export function createRuleBuilder({ root, catalog: cat, onChange }) {
  /** @type {BuilderState} */
  let state = emptyState();
  /** @type {string[]} */
  let shown = ['entry', 'exit'];

  /** @param {string} tag @param {Record<string, any>} [props] @param {(Node | string)[]} [kids] */
  const el = (tag, props = {}, kids = []) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  };
  const changed = (structural = false) => {
    if (structural) render();
    onChange();
  };

  /** @param {Leaf} l @param {string} label */
  function leafInput(l, label) {
    const value = el('input', { type: 'number', step: 'any', value: String(l.value), className: 'leaf-value', title: label });
    value.setAttribute('aria-label', label);
    value.addEventListener('change', () => {
      const v = Number(value.value);
      l.value = value.value.trim() === '' ? NaN : v;
      if (l.param) setNamed(state, l.param, l.value);
      changed(!!l.param);
    });
    const name = el('input', { type: 'text', value: l.param, className: 'leaf-param', placeholder: 'name', size: 5, title: 'A name makes this number a parameter {"param": name}: a sweep axis' });
    name.setAttribute('aria-label', `${label}: parameter name`);
    name.addEventListener('change', () => {
      l.param = name.value.trim().replace(/[^A-Za-z0-9_]/g, '_');
      changed(true);
    });
    return el('span', { className: l.param ? 'leaf named' : 'leaf' }, [value, name]);
  }

  /** The series choices: price fields, a number, every indicator (an option per output). */
  function seriesOptions() {
    const opts = cat.price_fields.map((f) => [`price:${f}`, f]);
    opts.push(['num', 'number']);
    for (const ind of cat.indicators) {
      if (ind.outputs.length) for (const out of ind.outputs) opts.push([`ind:${ind.name}:${out}`, `${ind.name}.${out}`]);
      else opts.push([`ind:${ind.name}:`, ind.name]);
    }
    return opts;
  }
  /** @param {SeriesSpec} s */
  const seriesKey = (s) => (s.kind === 'price' ? `price:${s.field}` : s.kind === 'num' ? 'num' : `ind:${s.name}:${s.output}`);

  /** @param {Row} row @param {'left' | 'right'} side @param {string} label */
  function seriesEditor(row, side, label) {
    const s = row[side];
    const pick = el('select', { className: 'series-pick' }, seriesOptions().map(([v, t]) => el('option', { value: v, textContent: t })));
    pick.setAttribute('aria-label', `${label}: series`);
    pick.value = seriesKey(s);
    pick.addEventListener('change', () => {
      const [kind, a, b] = pick.value.split(':');
      const shift = s.shift;
      if (kind === 'price') row[side] = { kind: 'price', field: a, shift };
      else if (kind === 'num') row[side] = { kind: 'num', num: leaf(s.kind === 'num' ? s.num.value : 0), shift };
      else {
        // Another output of the same indicator keeps its params.
        const next = indicatorSeries(cat, a, b);
        if (s.kind === 'ind' && s.name === a) Object.assign(next, { params: s.params, source: s.source });
        row[side] = { ...next, shift };
      }
      changed(true);
    });
    /** @type {(Node | string)[]} */
    const parts = [pick];
    if (s.kind === 'num') parts.push(leafInput(s.num, `${label}: number`));
    if (s.kind === 'ind') {
      const ind = indicatorOf(cat, s.name);
      for (const p of ind.params) parts.push(el('label', { className: 'param' }, [p.name, ' ', leafInput(s.params[p.name], `${label}: ${s.name} ${p.name}`)]));
      if (ind.source) {
        const src = el('select', {}, cat.price_fields.map((f) => el('option', { value: f, textContent: f })));
        src.value = s.source;
        src.setAttribute('aria-label', `${label}: source`);
        src.addEventListener('change', () => {
          s.source = src.value;
          changed();
        });
        parts.push(el('label', { className: 'param' }, ['of ', src]));
      }
    }
    parts.push(el('label', { className: 'param shift' }, ['shift ', leafInput(s.shift, `${label}: shift`)]));
    return el('span', { className: 'series' }, parts);
  }

  /** @param {string} side @param {Block} block @param {Row} row @param {number} i */
  function rowEditor(side, block, row, i) {
    const label = `${SIDE_LABELS[side]} rule ${i + 1}`;
    const not = el('input', { type: 'checkbox', checked: row.not });
    not.setAttribute('aria-label', `${label}: not`);
    not.addEventListener('change', () => {
      row.not = not.checked;
      changed();
    });
    const op = el('select', { className: 'op' }, OPS.map((o) => el('option', { value: o, textContent: OP_LABELS[o] })));
    op.value = row.op;
    op.setAttribute('aria-label', `${label}: comparison`);
    op.addEventListener('change', () => {
      row.op = op.value;
      changed();
    });
    const remove = el('button', { type: 'button', className: 'link', textContent: 'remove' });
    remove.setAttribute('aria-label', `${label}: remove`);
    remove.addEventListener('click', () => {
      block.rows.splice(i, 1);
      changed(true);
    });
    const join = i === 0 ? '' : block.join;
    return el('div', { className: 'rule-row' }, [
      el('span', { className: 'join' }, [join]),
      el('label', { className: 'not' }, [not, ' not']),
      seriesEditor(row, 'left', `${label} left`),
      op,
      seriesEditor(row, 'right', `${label} right`),
      remove,
      el('p', { className: 'rule-error', hidden: true, role: 'alert' }),
    ]);
  }

  function render() {
    root.replaceChildren(
      ...shown.map((side) => {
        const block = state[side];
        const join = el('select', {}, ['and', 'or'].map((j) => el('option', { value: j, textContent: j === 'and' ? 'all of (and)' : 'any of (or)' })));
        join.value = block.join;
        join.setAttribute('aria-label', `${SIDE_LABELS[side]}: join`);
        join.addEventListener('change', () => {
          block.join = /** @type {'and' | 'or'} */ (join.value);
          changed(true);
        });
        const add = el('button', { type: 'button', className: 'link', textContent: '+ rule' });
        add.setAttribute('aria-label', `${SIDE_LABELS[side]}: add a rule`);
        add.addEventListener('click', () => {
          block.rows.push(newRow(cat));
          changed(true);
        });
        return el('fieldset', { className: 'rule-block' }, [
          el('legend', {}, [SIDE_LABELS[side], ' ', join]),
          ...block.rows.map((r, i) => rowEditor(side, block, r, i)),
          add,
          el('p', { className: 'rule-error side-error', hidden: true, role: 'alert' }),
        ]);
      }),
    );
    root.dataset.side = shown.join(' ');
  }

  /**
   * Shows an engine message on the row its path names (entry.and[1]...), or on its side;
   * returns whether the path was the builder's.
   * @param {string} message
   */
  function showError(message) {
    clearErrors();
    const m = /^(short_entry|short_exit|entry|exit)(?:\.(?:and|or)\[(\d+)\])?/.exec(message) ?? / at (short_entry|short_exit|entry|exit)(?:\.(?:and|or)\[(\d+)\])?/.exec(message);
    if (!m || !shown.includes(m[1])) return false;
    const block = root.children[shown.indexOf(m[1])];
    const rows = block.querySelectorAll('.rule-row');
    const single = state[m[1]].rows.length === 1;
    const row = m[2] !== undefined ? rows[Number(m[2])] : single ? rows[0] : null;
    const box = /** @type {HTMLElement} */ ((row ?? block).querySelector(row ? '.rule-error' : '.side-error'));
    box.textContent = message;
    box.hidden = false;
    (row ?? block).classList.add('invalid');
    return true;
  }
  function clearErrors() {
    for (const e of root.querySelectorAll('.rule-error')) {
      /** @type {HTMLElement} */ (e).hidden = true;
      e.textContent = '';
    }
    for (const e of root.querySelectorAll('.invalid')) e.classList.remove('invalid');
  }

  render();
  return {
    /** @returns {BuilderState} */
    get state() {
      return state;
    },
    /** @param {BuilderState} s */
    set(s) {
      state = s;
      render();
    },
    /** @param {string[]} sides the sides the direction trades */
    showSides(sides) {
      shown = sides;
      render();
    },
    get sides() {
      return shown;
    },
    /** @param {boolean} [placeholders] */
    wire: (placeholders = false) => toWire(cat, state, shown, placeholders),
    showError,
    clearErrors,
  };
}
