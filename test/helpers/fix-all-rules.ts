// `rootlock fix` with every rule over every file of a directory of real
// manifests: the output parses, keeps every comment line, fixing it again
// changes nothing, and audit no longer reports what fix says it fixed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { RULES } from '../../src/rules/index.js';
import { emptyConfig } from '../../src/core/config.js';
import { fixManifests } from '../../src/app/fix.js';
import { parseManifests } from '../../src/input/kube-yaml.js';
import { KNOWN_INVALID } from './findings-snapshot.js';
import { informsOnly, runRules } from './rule-tester.js';
import { manifestFiles } from './repo.js';

/** Files whose documents do not parse (KNOWN_INVALID) are left out: the writer refuses them, as it must. */
export async function checkFixWithEveryRule(dir: string, minimumChanged: number): Promise<void> {
  const files = manifestFiles(dir).filter((f) => KNOWN_INVALID[relative(dir, f)] === undefined);
  const options = { cwd: dir, rules: RULES, config: emptyConfig(), today: '2026-06-01' };
  const first = await fixManifests({ ...options, paths: files.map((f) => relative(dir, f)) });
  assert.deepEqual(first.errors, []);
  const scratch = mkdtempSync(join(tmpdir(), 'rootlock-fix-corpus-'));
  try {
    let changedFiles = 0;
    for (const file of first.files) {
      const name = file.file;
      if (file.after !== file.before) changedFiles++;
      const parsed = parseManifests(file.after, name);
      assert.deepEqual(parsed.errors, [], `${name}: fixed output must parse`);
      const afterLines = new Set(file.after.split('\n'));
      for (const line of file.before.split('\n')) {
        if (/^\s*#/.test(line)) assert.ok(afterLines.has(line), `${name}: comment line lost: ${line}`);
      }
      // A partly fixed finding (emptyDirs added, one path left on a volume rootlock cannot judge) must be listed for a human.
      const human = new Set(file.objects.flatMap((o) => o.needsHuman.map((h) => `${o.object.kind}/${o.object.name}|${h.rule}|${h.container ?? ''}`)));
      const claimed = new Set(file.objects.flatMap((o) => o.changes.map((c) => `${o.object.kind}/${o.object.name}|${c.rule}|${c.container ?? ''}`)).filter((key) => !human.has(key)));
      const audit = runRules(RULES, file.after, { file: name });
      // Info that asks nothing (a path the image writes only in some configurations) is not what the fix claims.
      const still = audit.findings.filter((f) => !f.exempted && !informsOnly(f) && claimed.has(`${f.object.kind}/${f.object.name}|${f.rule}|${f.container ?? ''}`));
      assert.deepEqual(still.map((f) => `${name}: ${f.rule} ${f.message}`), []);
      const target = join(scratch, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.after);
    }
    assert.ok(changedFiles >= minimumChanged, `only ${changedFiles} files changed`);
    const second = await fixManifests({ ...options, cwd: scratch, paths: first.files.map((f) => f.file) });
    assert.deepEqual(second.errors, []);
    for (const file of second.files) assert.equal(file.after, file.before, `${file.file}: a second fix changed it again`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
