// The rows of a stats table (the workbench's and the portfolio view's): a header cell with the
// label (its description as a tooltip) and the value, marked 'na' where there is none.
import { NA } from 'quant-backtest/charts';

/** @param {readonly [string, string, string?][]} rows label, value, description @returns {HTMLTableRowElement[]} */
export function statRows(rows) {
  return rows.map(([k, v, title]) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = k;
    if (title) th.title = title;
    const td = document.createElement('td');
    td.textContent = v;
    if (v === NA) td.className = 'na';
    tr.append(th, td);
    return tr;
  });
}
