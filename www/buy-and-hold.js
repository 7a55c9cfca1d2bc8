// The benchmark of the portfolio view: an equal-weight buy and hold of the universe, computed in
// the page. The choice: the starting capital split equally over the assets; each share is spent
// on its asset at that asset's first close (no fees, fractional units) and sits as cash until
// then; an asset is valued at its last close on the union dates where it has no bar. So it ends
// at capital * (1 + the mean of the assets' own buy-and-hold returns), which is the engine's
// `buyAndHoldReturn` of a portfolio. No DOM, no engine: the test runs it in Node too.

/**
 * Sort keys of dates: their instants (ms) when every one parses, else the strings themselves
 * (the engine's union is then matched on the exact text).
 * @param {readonly string[]} dates @returns {number[] | readonly string[]}
 */
function keysOf(dates) {
  const ms = dates.map((d) => Date.parse(d));
  return ms.every(Number.isFinite) ? ms : dates;
}

/**
 * The equal-weight buy-and-hold equity on each union date.
 * @param {readonly string[]} unionDates the universe's dates, increasing
 * @param {readonly { dates: readonly string[], close: ArrayLike<number> }[]} assets in any order
 * @param {number} capital
 * @returns {Float64Array}
 */
export function equalWeightHold(unionDates, assets, capital) {
  const n = unionDates.length;
  const out = new Float64Array(n);
  if (assets.length === 0) return out;
  const share = capital / assets.length;
  const union = keysOf(unionDates);
  const numeric = typeof union[0] === 'number';
  for (const a of assets) {
    const own = numeric ? keysOf(a.dates) : a.dates;
    // If this asset's dates do not parse while the union's do, compare the texts of both.
    const u = typeof own[0] === typeof union[0] ? union : unionDates;
    const first = a.close[0];
    let p = -1;
    for (let j = 0; j < n; j++) {
      while (p + 1 < own.length && own[p + 1] <= u[j]) p++;
      out[j] += p < 0 ? share : (share * a.close[p]) / first;
    }
  }
  return out;
}
