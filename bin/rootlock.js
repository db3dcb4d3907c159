#!/usr/bin/env node
// Thin launcher for the CLI bundle, dist/cli.cjs (built by `npm install` / `npm run build`).
// Also installed as `kubectl-rootlock`, so kubectl runs it as `kubectl rootlock`.
// CommonJS (bin/package.json) because Node starts a CommonJS file sooner than an ES module.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // The one answer that needs no CLI at all.
  process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
} else {
  const bundle = join(__dirname, '..', 'dist', 'cli.cjs');
  let cli;
  try {
    cli = require('./load-cli.js').loadCli(bundle, argv[0]);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    process.stderr.write(`rootlock: ${bundle} is missing: run npm run build\n`);
    process.exit(2);
  }
  cli.runAsProcess(argv, process.argv[1]);
}
