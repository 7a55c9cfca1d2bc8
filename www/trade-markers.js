// Trade markers on the price chart: entries by side (long below the bar, short above), exits by
// reason (signal, stop_loss, take_profit, trailing_stop, reverse), each with its own color and
// letter. The colors are also the legend's (index.html) and the browser test's.

export const ENTRY_STYLE = {
  long: { color: '#1a9850', shape: 'arrowUp', position: 'belowBar', text: 'L' },
  short: { color: '#8e24aa', shape: 'arrowDown', position: 'aboveBar', text: 'S' },
};

export const EXIT_STYLE = {
  signal: { color: '#37474f', text: 'X' },
  stop_loss: { color: '#e65100', text: 'SL' },
  take_profit: { color: '#0277bd', text: 'TP' },
  trailing_stop: { color: '#f9a825', text: 'TS' },
  reverse: { color: '#6d4c41', text: 'R' },
};

/** An entry's marker. @param {string} side @param {string | number} time */
function entryMarker(side, time) {
  const s = ENTRY_STYLE[/** @type {'long' | 'short'} */ (side)] ?? ENTRY_STYLE.long;
  return { time, position: s.position, shape: s.shape, color: s.color, text: s.text };
}

/**
 * An exit's marker: a long exits above the bar, a short below (where the price went against
 * the entry).
 * @param {string} side @param {string} reason @param {string | number} time
 */
function exitMarker(side, reason, time) {
  const x = EXIT_STYLE[/** @type {keyof typeof EXIT_STYLE} */ (reason)] ?? EXIT_STYLE.signal;
  return { time, position: side === 'short' ? 'belowBar' : 'aboveBar', shape: 'circle', color: x.color, text: x.text };
}

/**
 * lightweight-charts markers for trades, in time order.
 * @param {import('quant-backtest').StrategyTrade[]} trades @param {(string | number)[]} times
 */
export function tradeMarkers(trades, times) {
  /** @type {{ marker: ReturnType<typeof entryMarker> & { id: string }, at: number }[]} */
  const m = [];
  trades.forEach((t, k) => {
    m.push({ marker: { ...entryMarker(t.direction, times[t.entryIndex]), id: `in${k}` }, at: t.entryIndex });
    m.push({ marker: { ...exitMarker(t.direction, t.exitReason, times[t.exitIndex]), id: `out${k}` }, at: t.exitIndex });
  });
  m.sort((a, b) => a.at - b.at);
  return m.map((x) => x.marker);
}

/**
 * The marker of a live run's fill or stop event (what tradeMarkers draws for its trade), or
 * null for the other events.
 * @param {import('quant-backtest').LiveEvent} e @param {string | number} time
 */
export function eventMarker(e, time) {
  if (e.kind === 'fill' && e.reason === 'entry') return entryMarker(e.side, time);
  return e.kind === 'fill' || e.kind === 'stop' ? exitMarker(e.side, e.reason, time) : null;
}

/** How many markers of each kind: 'entry:long', 'exit:stop_loss', ... @param {import('quant-backtest').StrategyTrade[]} trades */
export function markerCounts(trades) {
  /** @type {Record<string, number>} */
  const n = {};
  for (const t of trades) {
    n[`entry:${t.direction}`] = (n[`entry:${t.direction}`] ?? 0) + 1;
    n[`exit:${t.exitReason}`] = (n[`exit:${t.exitReason}`] ?? 0) + 1;
  }
  return n;
}
