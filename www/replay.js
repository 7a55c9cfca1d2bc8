// The demo page's replay: the loaded bars pushed one at a time into a live run (engine.live,
// SPEC part 11), as a feed would push them, at a chosen speed. The charts grow bar by bar, the
// position, cash and equity and every event show as they happen, and whenever the replay
// pauses or ends the live result is checked against a batch run on the bars pushed so far:
// they must be equal, value for value. app.js hands it the engine, the strategy of its forms,
// the loaded data and a view that draws on its charts; the controls and the log live here.
import { MarketData } from 'quant-backtest';
import { int, money, pct, price } from 'quant-backtest/charts';

/** @param {string} id @returns {any} */
const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
};

/** The event log keeps the newest events only (the page stays light on long replays). */
const LOG_LIMIT = 200;
/** At 'max' speed, the bars pushed per animation frame. */
const MAX_PER_FRAME = 250;

/**
 * What the view (app.js's charts) does for a replay.
 * @typedef {{
 *   begin: (what: string, capital: number) => void,
 *   bar: (i: number, equity: number) => void,
 *   marker: (event: import('quant-backtest').LiveEvent) => void,
 *   frame: () => void,
 *   end: (result: any, settings: Record<string, any>) => void,
 *   restore: () => Promise<unknown>,
 * }} ReplayView
 */

/**
 * Where two results differ, or null when every value is the same (NaN equals NaN, 0 and -0
 * differ: bit for bit). The engine's own timing is not part of a result's value.
 * @param {unknown} a @param {unknown} b @param {string} path @returns {string | null}
 */
export function firstDifference(a, b, path = 'result') {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : `${path}: ${a} != ${b}`;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? null : `${path}: ${String(a)} != ${String(b)}`;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    const x = /** @type {ArrayLike<unknown>} */ (/** @type {unknown} */ (a));
    const y = /** @type {ArrayLike<unknown>} */ (/** @type {unknown} */ (b));
    if (x.length !== y.length) return `${path}: ${x.length} values != ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = firstDifference(x[i], y[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('executionTimeMs');
  for (const k of keys) {
    const d = firstDifference(/** @type {any} */ (a)[k], /** @type {any} */ (b)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

/** A result as plain values: its JSON (metrics, trades) with the equity curve. @param {any} r */
const resultValue = (r) => ({ ...r.toJSON(), equityCurve: Array.from(r.equityCurve) });

/** The first `n` bars of `data`. @param {any} data @param {number} n */
function prefix(data, n) {
  if (n === data.length) return data;
  const c = data.toColumns();
  return MarketData.fromColumns({
    symbol: data.symbol,
    dates: c.dates.slice(0, n),
    open: c.open.slice(0, n),
    high: c.high.slice(0, n),
    low: c.low.slice(0, n),
    close: c.close.slice(0, n),
    volume: c.volume.slice(0, n),
  });
}

/** One line of the event log. @param {import('quant-backtest').LiveEvent} e */
function eventText(e) {
  const what = `${e.kind} ${e.side} ${e.reason.replace(/_/g, ' ')}`;
  const at = e.price === null ? '' : ` at ${price(e.price)}`;
  const size = e.size === null ? '' : `, ${money(e.size)} units`;
  return `bar ${int(e.bar)} (${e.date}): ${what}${at}${size}`;
}

/**
 * @param {{
 *   engine: any,
 *   strategy: () => { doc: { settings: Record<string, any> } & Record<string, unknown>, what: string },
 *   data: () => any,
 *   view: ReplayView,
 *   showError: (title: string, e: unknown, hint?: string) => void,
 *   clearError: () => void,
 * }} page
 */
export function createReplay({ engine, strategy, data, view, showError, clearError }) {
  const panel = $('replay-form');
  const play = /** @type {HTMLButtonElement} */ ($('replay-play'));
  const step = /** @type {HTMLButtonElement} */ ($('replay-step'));
  const reset = /** @type {HTMLButtonElement} */ ($('replay-reset'));
  const speed = /** @type {HTMLSelectElement} */ ($('replay-speed'));
  const progress = /** @type {HTMLProgressElement} */ ($('replay-progress'));
  const log = $('replay-log');
  const check = $('replay-check');

  /**
   * The replay now: its live run, the bars it pushes, the strategy (its document's text, its
   * settings), what it counted.
   * @type {null | { live: any, md: any, text: string, bars: { date: string, open: number, high: number, low: number, close: number, volume: number }[], settings: Record<string, any>, what: string, events: number, trades: number }}
   */
  let run = null;
  let playing = false;
  /** The frame loop's bar budget (bars due but not pushed yet) and last time. */
  let due = 0;
  let lastFrame = 0;
  /** @type {null | (() => void)} resolves `played()` when a play stops */
  let stopped = null;
  /** @type {Promise<void>} */
  let playedPromise = Promise.resolve();
  /** What the last check found (for the tests). @type {null | { bars: number, equal: boolean, difference: string | null, trades: number }} */
  let lastCheck = null;

  /** Starts a replay of the loaded data with the forms' strategy (a bad strategy: the error box). */
  function begin() {
    clearError();
    const md = data();
    const { doc, what } = strategy();
    const text = JSON.stringify(doc);
    const live = engine.live(text, { symbol: md.symbol });
    const c = md.toColumns();
    const bars = new Array(md.length);
    for (let i = 0; i < md.length; i++) bars[i] = { date: c.dates[i], open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i], volume: c.volume[i] };
    run = { live, md, bars, text, settings: doc.settings, what, events: 0, trades: 0 };
    log.replaceChildren();
    setCheck(null);
    view.begin(what, doc.settings.initial_capital);
    panel.dataset.state = 'paused';
    show();
  }

  /** Pushes the next bar; false when every bar is pushed. */
  function pushOne() {
    if (!run) return false;
    const live = run.live;
    const i = live.bars;
    if (i >= run.bars.length) return false;
    const events = live.push(run.bars[i]);
    view.bar(i, live.equity);
    if (events.length) {
      run.events += events.length;
      const items = [];
      for (const e of events) {
        if (e.kind === 'fill' || e.kind === 'stop') view.marker(e);
        if ((e.kind === 'fill' && e.reason !== 'entry') || e.kind === 'stop') run.trades++;
        const li = document.createElement('li');
        li.dataset.kind = e.kind;
        li.textContent = eventText(e);
        items.push(li);
      }
      log.prepend(...items.reverse());
      while (log.childElementCount > LOG_LIMIT) log.lastElementChild?.remove();
    }
    return true;
  }

  /** The live readout (progress, date, position, pending order, cash, equity) and the buttons. */
  function show() {
    const n = run ? run.bars.length : 0;
    const i = run ? run.live.bars : 0;
    const done = run !== null && i >= n;
    play.textContent = playing ? 'Pause' : done ? 'Play again' : i > 0 ? 'Resume' : 'Play';
    play.setAttribute('aria-pressed', String(playing));
    step.disabled = playing || done;
    progress.max = Math.max(n, 1);
    progress.value = i;
    $('replay-bar').textContent = run ? `${int(i)} of ${int(n)}` : '–';
    const live = run?.live;
    const pos = live?.position;
    const values = {
      date: live ? (live.lastDate ?? '–') : '–',
      position: live ? (pos ? `${pos.side} ${money(pos.size)} units` : 'flat') : '–',
      pending: live ? (live.pending ? live.pending.replace(/_/g, ' ') : 'none') : '–',
      cash: live ? money(live.cash) : '–',
      equity: live ? money(live.equity) : '–',
      return: live && run ? pct(live.equity / run.settings.initial_capital - 1) : '–',
      trades: run ? int(run.trades) : '–',
      events: run ? int(run.events) : '–',
    };
    for (const [k, v] of Object.entries(values)) $(`replay-${k}`).textContent = v;
  }

  /**
   * The live result against a batch run on the bars pushed so far: equal in every value?
   * Shown in #replay-check (data-equal) and, at the end, drawn as the workbench's result.
   */
  function verify() {
    if (!run || run.live.bars === 0) return null;
    const n = run.live.bars;
    const liveResult = run.live.result();
    const part = prefix(run.md, n);
    const batch = engine.runBacktest(part, run.text);
    const difference = firstDifference(resultValue(liveResult), resultValue(batch));
    lastCheck = { bars: n, equal: difference === null, difference, trades: liveResult.trades.length };
    setCheck(lastCheck);
    if (n === run.bars.length) view.end(liveResult, run.settings);
    return lastCheck;
  }

  /** @param {typeof lastCheck} c */
  function setCheck(c) {
    if (!c) {
      check.textContent = '';
      delete check.dataset.equal;
      delete check.dataset.bars;
      return;
    }
    check.dataset.equal = String(c.equal);
    check.dataset.bars = String(c.bars);
    check.textContent = c.equal
      ? `After ${int(c.bars)} bars the live run equals the batch run on those bars, value for value (${int(c.trades)} trades, every metric, the equity curve).`
      : `After ${int(c.bars)} bars the live run differs from the batch run: ${c.difference}.`;
  }

  /** The frame loop: pushes the bars due at the chosen speed, then shows them. @param {number} now */
  function frame(now) {
    if (!playing || !run) return;
    const rate = speed.value === 'max' ? Infinity : Number(speed.value);
    const budget = rate === Infinity ? MAX_PER_FRAME : Math.min(MAX_PER_FRAME, (due += (rate * Math.min(now - lastFrame, 250)) / 1000));
    lastFrame = now;
    let pushed = 0;
    try {
      while (pushed < Math.floor(budget) && pushOne()) pushed++;
    } catch (e) {
      pause();
      showError('Replay stopped', e);
      return;
    }
    if (rate !== Infinity) due -= pushed;
    if (pushed) view.frame();
    if (run.live.bars >= run.bars.length) {
      pause();
      return;
    }
    show();
    requestAnimationFrame(frame);
  }

  function start() {
    if (!run || run.live.bars >= run.bars.length) begin();
    playing = true;
    due = 1; // the first bar at once
    lastFrame = performance.now();
    panel.dataset.state = 'playing';
    playedPromise = new Promise((resolve) => {
      stopped = resolve;
    });
    show();
    requestAnimationFrame(frame);
  }

  function pause() {
    if (!playing) return;
    playing = false;
    const done = run !== null && run.live.bars >= run.bars.length;
    panel.dataset.state = done ? 'done' : 'paused';
    show();
    try {
      verify();
    } catch (e) {
      showError('Replay check failed', e);
    }
    stopped?.();
    stopped = null;
  }

  /** Ends the replay without drawing anything (the workbench draws next). */
  function abandon() {
    if (playing) {
      playing = false;
      stopped?.();
      stopped = null;
    }
    run?.live.free();
    run = null;
    log.replaceChildren();
    setCheck(null);
    lastCheck = null;
    delete panel.dataset.state;
    show();
  }

  /** Back to the workbench's batch run of every bar. */
  async function stopReplay() {
    abandon();
    await view.restore();
  }

  /** Wraps a control's action: a bad strategy or bar shows in the error box. @param {() => void} fn */
  const guarded = (fn) => () => {
    try {
      fn();
    } catch (e) {
      showError('Replay failed', e);
    }
  };

  play.addEventListener(
    'click',
    guarded(() => (playing ? pause() : start())),
  );
  step.addEventListener(
    'click',
    guarded(() => {
      if (!run) begin();
      pushOne();
      view.frame();
      show();
      verify();
    }),
  );
  reset.addEventListener('click', () => {
    stopReplay().catch((e) => showError('Reset failed', e));
  });
  panel.addEventListener('submit', (/** @type {Event} */ e) => e.preventDefault());
  show();

  return {
    /** Whether a replay holds the charts (the workbench's other runs end it first: abandon). */
    get active() {
      return run !== null;
    },
    abandon,
    stop: stopReplay,
    /** For the tests: plays at `speedValue` ('max' or bars per second); resolves when it stops. @param {string} [speedValue] */
    play(speedValue) {
      if (speedValue !== undefined) speed.value = speedValue;
      if (!playing) start();
      return playedPromise;
    },
    pause,
    /** Resolves when the current play stops (at the end or on pause). */
    played: () => playedPromise,
    get state() {
      return {
        state: panel.dataset.state ?? 'idle',
        playing,
        bars: run ? run.live.bars : 0,
        total: run ? run.bars.length : 0,
        events: run ? run.events : 0,
        logged: log.childElementCount,
        check: lastCheck,
      };
    },
  };
}
