// `rootlock fix --helm` on real charts (the `charts` folder beside the
// corpus: ingress-nginx, kube-state-metrics, prometheus-node-exporter,
// Bitnami nginx and redis, argo-cd, grafana), with the real helm and
// kustomize: every chart gets an override file whose rendered output audits
// clean of the findings values fix, equals the planner's result where values
// reach, and with the post-renderer patch equals it everywhere; fixing twice
// changes nothing. Prints, per chart, how many findings values fix and how
// many need a patch or a template change, and what it cost in renders.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../helpers/corpus.js';
import { proveHelmFix } from '../helpers/helm-proof.js';
import type { HelmRunJson } from '../helpers/helm-proof.js';
import { renderTool } from '../render/tools.js';

const chartsDir = join(corpusDir(), '..', 'charts');
const helm = renderTool('helm');
const kustomize = renderTool('kustomize');
const charts = readdirSync(chartsDir).filter((name) => statSync(join(chartsDir, name)).isDirectory() && existsSync(join(chartsDir, name, 'Chart.yaml'))).sort();
const scratch = mkdtempSync(join(tmpdir(), 'rootlock-helm-corpus-'));
const table: Array<{ chart: string; limits: boolean; set?: string; json: HelmRunJson }> = [];

after(() => {
  rmSync(scratch, { recursive: true, force: true });
  const lines = ['| chart | --default-limits | fixed by values | need a patch or template change | need a human decision | helm renders | seconds |', '|---|---|---|---|---|---|---|'];
  for (const { chart, limits, set, json } of table) {
    const s = json.summary;
    lines.push(`| ${chart}${set ? ` --set ${set}` : ''} | ${limits ? 'yes' : 'no'} | ${s.byValues} | ${s.needTemplate} | ${s.needsHuman} | ${s.renders} (${s.probeRenders} probe) | ${s.seconds.toFixed(1)} |`);
  }
  console.log(lines.join('\n'));
});

describe('fix --helm over the real charts', () => {
  it('finds the seven charts', () => {
    assert.ok(charts.length >= 7, `charts found: ${charts.join(', ')}`);
  });
  for (const chart of charts) {
    for (const limits of [false, true]) {
      it(`${chart}${limits ? ' with --default-limits' : ''}: the override audits clean of what it fixes, the patch completes it, a second run adds nothing`, async () => {
        const cwd = mkdtempSync(join(scratch, `${chart}-`));
        const json = await proveHelmFix({ chart: join(chartsDir, chart), releaseName: 'rel', cwd, helm, kustomize, ...(limits ? { fixFlags: ['--default-limits', 'cpu=500m,memory=256Mi'] } : {}) });
        table.push({ chart, limits, json });
      });
    }
  }
  // argo-cd's redis-ha subchart is off by default; its values live under redis-ha.*.
  it('argo-cd --set redis-ha.enabled=true: subchart values carry fixes too', async () => {
    const cwd = mkdtempSync(join(scratch, 'argo-cd-redis-ha-'));
    const json = await proveHelmFix({ chart: join(chartsDir, 'argo-cd'), releaseName: 'rel', set: ['redis-ha.enabled=true'], cwd, helm, kustomize });
    table.push({ chart: 'argo-cd', limits: false, set: 'redis-ha.enabled=true', json });
    assert.ok(JSON.stringify(json.values).includes('redis-ha'), 'a redis-ha value is used');
  });
});
