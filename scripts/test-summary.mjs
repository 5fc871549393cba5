// Prints one closing line for the whole suite from the vitest and Playwright JSON reports.
import { readFileSync } from 'node:fs';

const [vitestFile, playwrightFile] = process.argv.slice(2);
const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
let passed = v.numPassedTests;
let failed = v.numFailedTests;
let skipped = v.numPendingTests + (v.numTodoTests ?? 0);
const p = JSON.parse(readFileSync(playwrightFile, 'utf8'));
passed += p.stats.expected + p.stats.flaky;
failed += p.stats.unexpected;
skipped += p.stats.skipped;
console.log(`\nsummary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
