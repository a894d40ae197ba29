// Copies uPlot's built files from node_modules into web/ui/vendor/uplot-<version>/
// (committed, so building ebbd never needs Node: ecosystem.md §2.2).
//   node scripts/vendor.mjs          copy (after changing the version in package.json)
//   node scripts/vendor.mjs --check  fail if the committed copy differs from the locked package
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(web, 'node_modules/uplot/package.json'), 'utf8'));
const dest = join(web, 'ui/vendor', `uplot-${pkg.version}`);
const files = [['dist/uPlot.iife.min.js', 'uPlot.iife.min.js'], ['dist/uPlot.min.css', 'uPlot.min.css'], ['LICENSE', 'LICENSE']];
const check = process.argv.includes('--check');
let bad = 0;
if (!check) mkdirSync(dest, { recursive: true });
for (const [from, to] of files) {
  const src = readFileSync(join(web, 'node_modules/uplot', from));
  const out = join(dest, to);
  if (check) {
    if (!existsSync(out) || !src.equals(readFileSync(out))) {
      console.error(`differs from node_modules/uplot/${from}: ${out}`);
      bad++;
    }
  } else {
    writeFileSync(out, src);
  }
}
if (bad) process.exit(1);
console.log(check ? `vendor: uplot ${pkg.version} matches` : `vendor: copied uplot ${pkg.version}`);
