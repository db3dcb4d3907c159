// One pass in a fresh process, so its peak RSS is its own:
//   node dist/bench/audit/child.js <audit|js-yaml|yaml> <dir>
// The audit child also writes the JSON report (to /dev/null), as the CLI does.
// Prints one JSON line: the pass result and the process's peak RSS.
import { runPass, PASS_NAMES } from './passes.js';
import type { PassName, PassResult } from './passes.js';

export interface ChildResult extends PassResult {
  /** process.resourceUsage().maxRSS, in KiB. */
  maxRssKiB: number;
}

const [pass, dir] = process.argv.slice(2);
if (!PASS_NAMES.includes(pass as PassName) || dir === undefined) {
  process.stderr.write(`usage: child.js <${PASS_NAMES.join('|')}> <dir>\n`);
  process.exit(2);
}
const result = await runPass(pass as PassName, dir, true);
const out: ChildResult = { ...result, maxRssKiB: process.resourceUsage().maxRSS };
process.stdout.write(`${JSON.stringify(out)}\n`);
