#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm install` / `npm run build`).
// Also installed as `kubectl-rootlock`, so kubectl runs it as `kubectl rootlock`.
import { main, processIO } from '../dist/src/cli/main.js';

// `rootlock audit ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2), processIO(process.argv[1])).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`rootlock: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
