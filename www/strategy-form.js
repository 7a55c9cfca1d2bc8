// The Strategy form <-> the strategy document the engine runs: the wire tree with its
// `settings` key (the keys in the canonical order of `Strategy.to_dict()`).
import { PRESETS, bind, sideTrees } from './presets.js';

/** @param {string} id @returns {any} */
const $ = (id) => document.getElementById(id);

/** A % input as a fraction; '' is off (undefined). @param {string} id @param {string} name */
function fraction(id, name, optional = false) {
  const el = /** @type {HTMLInputElement} */ ($(id));
  const raw = el.value.trim();
  if (raw === '' && optional) return undefined;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || v < 0) {
    el.setAttribute('aria-invalid', 'true');
    throw Object.assign(new Error(`${name} must be a number >= 0, got '${raw}'`), { name: 'BacktestError' });
  }
  el.removeAttribute('aria-invalid');
  return v / 100;
}
/** A fraction shown in % without float noise (0.07 -> "7", not "7.000000000000001"). @param {number} f */
const asPercent = (f) => String(Number((f * 100).toPrecision(12)));

/** @param {string} id @param {string} name */
function plain(id, name) {
  const el = /** @type {HTMLInputElement} */ ($(id));
  const v = Number(el.value.trim());
  if (el.value.trim() === '' || !Number.isFinite(v)) throw Object.assign(new Error(`${name} must be a number, got '${el.value}'`), { name: 'BacktestError' });
  return v;
}

/** The engine settings the form shows (snake_case, the catalog's names). */
export function formSettings() {
  const sizeType = /** @type {HTMLSelectElement} */ ($('size-type')).value;
  /** @type {Record<string, unknown>} */
  const s = {
    initial_capital: plain('capital', 'Capital'),
    commission_rate: fraction('commission', 'Commission'),
    fixed_fee: plain('fixed-fee', 'Fixed fee'),
    slippage: fraction('slippage', 'Slippage'),
    fill: /** @type {HTMLSelectElement} */ ($('fill')).value,
    lot_size: plain('lot-size', 'Lot size'),
    direction: /** @type {HTMLSelectElement} */ ($('direction')).value,
    size_type: sizeType,
    size: sizeType === 'percent' ? fraction('size', 'Size') : plain('size', 'Size'),
  };
  for (const [key, id, name] of [['stop_loss', 'stop-loss', 'Stop loss'], ['take_profit', 'take-profit', 'Take profit'], ['trailing_stop', 'trailing-stop', 'Trailing stop']]) {
    const v = fraction(id, name, true);
    if (v !== undefined && v > 0) s[key] = v;
  }
  return s;
}

/** Shows a document's settings in the form (absent keys: the form's defaults). @param {Record<string, any>} s */
export function showSettings(s) {
  const set = (/** @type {string} */ id, /** @type {unknown} */ v) => {
    /** @type {HTMLInputElement} */ ($(id)).value = String(v);
  };
  set('capital', s.initial_capital ?? 100000);
  set('commission', asPercent(s.commission_rate ?? 0));
  set('fixed-fee', s.fixed_fee ?? 0);
  set('slippage', asPercent(s.slippage ?? 0));
  set('fill', s.fill ?? 'next_open');
  set('lot-size', s.lot_size ?? 0);
  set('direction', s.direction ?? 'long_only');
  const sizeType = s.size_type ?? 'percent';
  set('size-type', sizeType);
  set('size', sizeType === 'percent' ? asPercent(s.size ?? 1) : (s.size ?? 1));
  set('stop-loss', s.stop_loss ? asPercent(s.stop_loss) : '');
  set('take-profit', s.take_profit ? asPercent(s.take_profit) : '');
  set('trailing-stop', s.trailing_stop ? asPercent(s.trailing_stop) : '');
}

const SIDE_KEYS = ['entry', 'exit', 'short_entry', 'short_exit'];

/**
 * The document to run: a preset's sides for the direction with Fast/Slow bound, or the loaded
 * custom tree's sides, then the form's settings.
 * @param {string} preset @param {any} customSides @param {{ fast: number, slow: number }} values
 */
export function strategyDocument(preset, customSides, values) {
  const settings = formSettings();
  /** @type {Record<string, unknown>} */
  let sides;
  if (preset === 'custom') sides = customSides;
  else {
    const p = PRESETS[preset];
    sides = bind(sideTrees(p.tree, /** @type {string} */ (settings.direction)), values);
  }
  /** @type {Record<string, unknown>} */
  const doc = {};
  for (const k of SIDE_KEYS) if (sides[k] !== undefined) doc[k] = sides[k];
  doc.settings = settings;
  return doc;
}

/** A loaded document split into its sides and its settings (other keys stay with the sides). @param {any} doc */
export function splitDocument(doc) {
  const { settings, ...sides } = doc;
  return { sides, settings: settings ?? {} };
}

/** The canonical text of a document. @param {unknown} doc */
export const documentText = (doc) => JSON.stringify(doc, null, 2);
