// The preset strategies as wire trees, exactly python/quant_backtest/strategy.py's presets
// (`qs.<name>().to_dict()`, docs/STRATEGIES.md): the long side only. The page mirrors them for
// short trades (see `sideTrees`). sma_cross and ema_cross keep their placeholders fast/slow,
// which the Fast/Slow inputs bind.

const close = 'close';
/** @param {string} indicator @param {unknown} period @param {string} [source] */
const line = (indicator, period, source = close) => ({ indicator, period, source });
/** @param {string} avg */
function cross(avg) {
  const fast = line(avg, { param: 'fast' });
  const slow = line(avg, { param: 'slow' });
  return { entry: { crosses_above: [fast, slow] }, exit: { crosses_below: [fast, slow] }, constraint: { lt: [{ param: 'fast' }, { param: 'slow' }] } };
}
/** @param {string} output */
const macdOut = (output) => ({ indicator: 'macd', fast: 12, slow: 26, signal: 9, source: close, output });
/** @param {string} output */
const band = (output) => ({ indicator: 'bbands', period: 20, k: 2.0, source: close, output });

/**
 * name -> { label, tree (entry/exit/constraint), params the page binds, the overlays and
 * oscillator that show what it trades on }.
 * @type {Record<string, { label: string, tree: any, params: string[], overlays: string[], oscillator: string }>}
 */
export const PRESETS = {
  sma_cross: { label: 'SMA cross', tree: cross('sma'), params: ['fast', 'slow'], overlays: ['sma-fast', 'sma-slow'], oscillator: 'none' },
  ema_cross: { label: 'EMA cross', tree: cross('ema'), params: ['fast', 'slow'], overlays: ['ema'], oscillator: 'none' },
  rsi_reversion: {
    label: 'RSI mean reversion',
    tree: { entry: { crosses_below: [line('rsi', 14), 30] }, exit: { crosses_above: [line('rsi', 14), 70] } },
    params: [],
    overlays: [],
    oscillator: 'rsi',
  },
  macd_cross: {
    label: 'MACD cross',
    tree: { entry: { crosses_above: [macdOut('macd'), macdOut('signal')] }, exit: { crosses_below: [macdOut('macd'), macdOut('signal')] } },
    params: [],
    overlays: [],
    oscillator: 'macd',
  },
  bollinger_reversion: {
    label: 'Bollinger reversion',
    tree: { entry: { crosses_below: [close, band('lower')] }, exit: { crosses_above: [close, band('middle')] } },
    params: [],
    overlays: ['bbands'],
    oscillator: 'none',
  },
  donchian_breakout: {
    label: 'Donchian breakout',
    tree: {
      entry: { gt: [close, { shift: line('highest', 20, 'high'), periods: 1 }] },
      exit: { lt: [close, { shift: line('lowest', 20, 'low'), periods: 1 }] },
    },
    params: [],
    overlays: ['donchian'],
    oscillator: 'none',
  },
};

/**
 * The sides of a preset for a direction: long_only trades entry/exit; short_only and both add
 * the mirror (short when the long side would exit, cover when it would enter).
 * @param {any} tree @param {string} direction
 */
export function sideTrees(tree, direction) {
  /** @type {Record<string, unknown>} */
  const out = {};
  if (direction !== 'short_only') Object.assign(out, { entry: tree.entry, exit: tree.exit });
  if (direction !== 'long_only') Object.assign(out, { short_entry: tree.exit, short_exit: tree.entry });
  return out;
}

/**
 * The tree with its placeholders replaced by numbers (a copy); the constraint is dropped once
 * nothing in it is a placeholder (the engine checks it before: `checkConstraint`).
 * @param {any} node @param {Record<string, number>} values
 * @returns {any}
 */
export function bind(node, values) {
  if (Array.isArray(node)) return node.map((n) => bind(n, values));
  if (node === null || typeof node !== 'object') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'param' && typeof node.param === 'string' && node.param in values) return values[node.param];
  return Object.fromEntries(keys.map((k) => [k, bind(node[k], values)]));
}

/** Placeholder names used anywhere in a tree. @param {any} node @param {Set<string>} [names] */
export function paramNames(node, names = new Set()) {
  if (Array.isArray(node)) for (const n of node) paramNames(n, names);
  else if (node !== null && typeof node === 'object') {
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'param' && typeof node.param === 'string') names.add(node.param);
    else for (const k of keys) paramNames(node[k], names);
  }
  return names;
}
