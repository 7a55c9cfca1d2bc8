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

/**
 * lightweight-charts markers for trades, in time order.
 * @param {import('quant-backtest').StrategyTrade[]} trades @param {(string | number)[]} times
 */
export function tradeMarkers(trades, times) {
  /** @type {{ time: string | number, position: string, shape: string, color: string, text: string, id: string, at: number }[]} */
  const m = [];
  trades.forEach((t, k) => {
    const e = ENTRY_STYLE[/** @type {'long' | 'short'} */ (t.direction)] ?? ENTRY_STYLE.long;
    m.push({ time: times[t.entryIndex], position: e.position, shape: e.shape, color: e.color, text: e.text, id: `in${k}`, at: t.entryIndex });
    const x = EXIT_STYLE[/** @type {keyof typeof EXIT_STYLE} */ (t.exitReason)] ?? EXIT_STYLE.signal;
    // A long exits above the bar, a short below: the exit sits where the price went against the entry.
    m.push({ time: times[t.exitIndex], position: t.direction === 'short' ? 'belowBar' : 'aboveBar', shape: 'circle', color: x.color, text: x.text, id: `out${k}`, at: t.exitIndex });
  });
  m.sort((a, b) => a.at - b.at);
  return m.map(({ at, ...marker }) => marker);
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
