// The README's JavaScript quick start runs as written, against the installed package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const GOLDEN_DIR = process.env.GOLDEN_DIR;
if (!GOLDEN_DIR) throw new Error('GOLDEN_DIR is not set (scripts/test-js.sh sets it)');
const README = readFileSync(resolve(GOLDEN_DIR, '..', '..', 'README.md'), 'utf8');

test('every ```js block of the README runs', async () => {
  const blocks = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1, 'the README has a JS block');
  // Written beside this test so that `import 'quant-backtest'` resolves to the installed package.
  const dir = mkdtempSync(join(process.cwd(), 'readme-'));
  for (const [i, code] of blocks.entries()) {
    const file = join(dir, `block-${i}.mjs`);
    writeFileSync(file, `${code}\nexport const ok = true;\n`);
    const module = await import(pathToFileURL(file).href);
    assert.equal(module.ok, true, `block ${i}`);
  }
});
