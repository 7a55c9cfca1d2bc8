// CSV files as the assets of a universe. Each file is read by the package's own parser
// (`MarketData.fromCsv`, as the workbench reads one file), so a bad row gets the library's
// message. A file's name (without its extension) is its symbol, unless the CSV has a `symbol`
// column: then its rows are grouped by that column, one asset per symbol (a long table).

/** The fields of one CSV line (quotes with "" inside them, as RFC 4180 writes them). @param {string} line */
export function csvFields(line) {
  /** @type {string[]} */
  const out = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** A file name's symbol: "spy.csv" -> "spy". @param {string} name */
export const symbolOfFile = (name) => name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'CSV';

/**
 * The assets of one CSV file: one MarketData, or one per value of its `symbol` column (in the
 * order they first appear). Throws the library's BacktestError; for a grouped file it is
 * prefixed with the symbol, and its rows count within that symbol's rows.
 * @param {string} text @param {string} fileName
 * @param {{ fromCsv(text: string, options?: { symbol?: string }): any }} MarketData the package's class
 * @returns {any[]} MarketData
 */
export function assetsOfCsv(text, fileName, MarketData) {
  const lines = text.split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const at = header.indexOf('symbol');
  if (at < 0) return [MarketData.fromCsv(text, { symbol: symbolOfFile(fileName) })];
  /** @type {Map<string, string[]>} */
  const groups = new Map();
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const symbol = (csvFields(line)[at] ?? '').trim();
    if (!groups.has(symbol)) groups.set(symbol, [lines[0]]);
    /** @type {string[]} */ (groups.get(symbol)).push(line);
  }
  // One symbol (or no rows): the file as it is, so row numbers are the file's own.
  if (groups.size <= 1) {
    const [only] = groups.keys();
    return [MarketData.fromCsv(text, { symbol: only || symbolOfFile(fileName) })];
  }
  return [...groups].map(([symbol, rows]) => {
    try {
      return MarketData.fromCsv(rows.join('\n'), { symbol: symbol || symbolOfFile(fileName) });
    } catch (e) {
      if (e instanceof Error) e.message = `symbol '${symbol}' (rows counted within its own rows): ${e.message}`;
      throw e;
    }
  });
}
