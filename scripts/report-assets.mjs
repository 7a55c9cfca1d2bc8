// The report's files in the npm package (pkg/report/), from their one copy in the Python
// package (python/quant_backtest/report/): charts.js (the chart component; the demo page and
// users' dashboards import it), report.html and lightweight-charts as they are, and assets.js,
// their texts as strings, which report() fills in (a bundler or a page then needs no fetch),
// and charts.d.ts, the component's types from its JSDoc (tsc, which also checks them, strict).
// Called by scripts/build-wasm.sh after it copies pkg-template/; `node scripts/report-assets.mjs`
// refreshes pkg/ after an edit.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FROM = join(ROOT, 'python', 'quant_backtest', 'report');
const TO = join(ROOT, 'pkg', 'report');
const FILES = { TEMPLATE: 'report.html', CHARTS: 'charts.js', LIGHTWEIGHT_CHARTS: 'lightweight-charts.standalone.production.js' };

mkdirSync(TO, { recursive: true });
const lines = ['// Written by scripts/report-assets.mjs from python/quant_backtest/report/: do not edit.'];
for (const [name, file] of Object.entries(FILES)) {
  copyFileSync(join(FROM, file), join(TO, file));
  lines.push(`export const ${name} = ${JSON.stringify(readFileSync(join(FROM, file), 'utf8'))};`);
}
writeFileSync(join(TO, 'assets.js'), `${lines.join('\n')}\n`);
const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
const flags = ['--allowJs', '--checkJs', '--strict', '--declaration', '--emitDeclarationOnly', '--target', 'es2022', '--lib', 'es2022,dom'];
execFileSync(tsc, [...flags, '--outDir', TO, join(FROM, 'charts.js')], { stdio: 'inherit' });
console.log(`pkg/report/: ${Object.values(FILES).join(', ')}, assets.js, charts.d.ts`);
