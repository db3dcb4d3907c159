import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../app/audit.js';
import { streamContextOf } from '../report/model.js';
import { RULES } from '../rules/index.js';
import { NGINX_PROFILE } from '../../test/helpers/profile-fixture.js';
import { streamHtmlReport } from './html.js';
import type { HtmlExtras } from './html.js';

function page(extras: HtmlExtras): string {
  const report = buildReport({ findings: [], errors: [], notices: [], files: 0, documents: 0, objects: 0, workloads: 0, failOn: 'error', version: '0.0.0' });
  return [...streamHtmlReport(streamContextOf({ report, rules: RULES, color: false }), extras)].join('');
}

const taken = (html: string) => /<p id="rl-taken">.*?<\/p>/s.exec(html)?.[0] ?? '';

describe('the HTML report\'s times and profiles', () => {
  it('says when the dashboard audited, with no second time', () => {
    const shown = taken(page({ taken: { at: '2026-12-07T12:00:00.000Z' } }));
    assert.match(shown, /^<p id="rl-taken">Data taken at <time id="rl-read" datetime="2026-12-07T12:00:00.000Z">/);
    assert.match(shown, /data-source="audit">From the dashboard's own audit of the cluster, made then\./);
    assert.doesNotMatch(shown, /rl-changed/);
  });

  it('with the auditor\'s reports: when the dashboard read them and, apart, when the findings last changed', () => {
    const shown = taken(page({ taken: { at: '2026-12-07T12:00:00.000Z', reports: 3, changedAt: '2026-12-06T08:30:00.000Z', lastError: '<b>denied</b>' } }));
    assert.match(shown, /Data taken at <time id="rl-read" datetime="2026-12-07T12:00:00\.000Z">.*data-source="policy-reports">From the continuous auditor: 3 PolicyReport\(s\)/s);
    assert.match(shown, /Findings last changed at <time id="rl-changed" datetime="2026-12-06T08:30:00\.000Z">2026-12-06T08:30:00\.000Z<\/time>: the newest write of the reports/);
    assert.match(shown, /The latest read of the cluster failed \(&#60;b&#62;denied&#60;\/b&#62;\)/);
    // The same time twice is said once.
    assert.doesNotMatch(taken(page({ taken: { at: '2026-12-07T12:00:00.000Z', reports: 3, changedAt: '2026-12-07T12:00:00.000Z' } })), /rl-changed/);
  });

  it('escapes every profile field it shows', () => {
    const html = page({
      profiles: [{
        file: '<i>file</i>.json',
        profile: { ...NGINX_PROFILE, image: '<script>x</script>', imageName: '"><b>', atRoot: ['/<img>'], coveredByVolumes: ["/'q'"], proposals: [{ path: '/<svg>', bytes: 1, paths: ['/<svg>/f'] }] },
        uses: [{ file: '<f>.yaml', line: 1, object: { apiVersion: 'v1', kind: 'Pod', namespace: '<ns>', name: '<n>' }, container: '<c>', readOnlyRoot: false, paths: [{ path: '/<svg>', status: 'would-fail' }] }],
        moreUses: 0,
      }],
    });
    const section = /<section id="rl-profiles".*?<\/section>/s.exec(html)?.[0] ?? '';
    assert.ok(section.length > 0);
    const tags = [...section.matchAll(/<([a-z0-9]+)[\s>]/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(tags)].filter((tag) => !['section', 'h2', 'p', 'code', 'div', 'h3', 'table', 'caption', 'thead', 'tr', 'th', 'tbody', 'td', 'span', 'br'].includes(tag ?? '')), []);
    for (const text of ['&#60;script&#62;x&#60;/script&#62;', '&#34;&#62;&#60;b&#62;', '/&#60;img&#62;', '/&#39;q&#39;', '&#60;i&#62;file&#60;/i&#62;.json', 'Pod &#60;ns&#62;/&#60;n&#62;', '&#60;f&#62;.yaml:1', '&#60;c&#62;']) {
      assert.ok(section.includes(text), text);
    }
  });
});
