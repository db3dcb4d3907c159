// Prints the webhook's answer to many AdmissionReviews, one JSON line each, so
// that a change meant only to make the webhook faster can be checked for
// byte-identical answers: run it before and after and diff the outputs.
//
//   node dist/bench/webhook/responses.js [dir ...] > answers.jsonl
//
// The reviews: the benchmark bodies, and every object of every manifest under
// the given directories (default: the rule fixtures and examples/), each sent
// to /validate in the three modes, with and without an exempting config, as
// the ephemeral-containers subresource, without a namespace, and to /mutate.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { parseManifests } from '../../src/input/kube-yaml.js';
import { documentObjects } from '../../src/core/workloads.js';
import { emptyConfig } from '../../src/core/config.js';
import type { RootlockConfig } from '../../src/core/config.js';
import { handleAdmission } from '../../src/webhook/handler.js';
import type { Endpoint } from '../../src/webhook/handler.js';
import { WEBHOOK_MODES } from '../../src/webhook/settings.js';
import { admissionReview, testSettings } from '../../test/helpers/webhook.js';
import { repoRoot } from '../../test/helpers/repo.js';
import { benchBodies } from './bodies.js';

function manifests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...manifests(path));
    else if (['.yaml', '.yml', '.json'].includes(extname(name))) out.push(path);
  }
  return out;
}

/** A config that exempts some findings (one expired entry) and overrides a severity, so those paths run too. */
function exemptingConfig(): RootlockConfig {
  const config = emptyConfig();
  config.severities.set('seccomp-profile', 'error');
  config.exemptions.push(
    { rules: ['run-as-non-root'], namespaces: ['default'], reason: 'legacy uid', index: 0 },
    { rules: '*', containers: ['side*'], reason: 'vendor sidecar', index: 1 },
    { rules: ['read-only-root-filesystem'], images: ['nginx*'], reason: 'expired', expires: '2025-01-01', index: 2 },
  );
  return config;
}

const root = repoRoot();
const dirs = process.argv.slice(2);
const roots = dirs.length ? dirs : [join(root, 'src', 'rules'), join(root, 'examples')];
const bodies: Array<{ name: string; text: string }> = benchBodies().map((b) => ({ name: `bench:${b.name}`, text: b.text }));
for (const dir of roots) {
  for (const file of manifests(dir)) {
    const parsed = parseManifests(readFileSync(file, 'utf8'), file);
    parsed.documents.forEach((document) => {
      documentObjects(document.value).forEach(({ object }, i) => {
        const name = `${relative(dir, file)}#${document.index}.${i}`;
        bodies.push({ name, text: JSON.stringify(admissionReview(object, { uid: 'u-1' })) });
        bodies.push({ name: `${name} ephemeral`, text: JSON.stringify(admissionReview(object, { uid: 'u-2', subResource: 'ephemeralcontainers' })) });
        const { metadata, ...rest } = object;
        const { namespace: _dropped, ...unnamespaced } = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
        bodies.push({ name: `${name} no-namespace`, text: JSON.stringify(admissionReview({ ...rest, metadata: unnamespaced }, { uid: 'u-3', namespace: 'team' })) });
      });
    });
  }
}

const configs: Array<[string, RootlockConfig]> = [['empty', emptyConfig()], ['exempting', exemptingConfig()]];
for (const body of bodies) {
  for (const [configName, config] of configs) {
    for (const mode of WEBHOOK_MODES) {
      const settings = testSettings({ mode, config });
      const endpoints: Endpoint[] = mode === 'enforce' ? ['validate', 'mutate'] : ['validate'];
      for (const endpoint of endpoints) {
        const result = handleAdmission(endpoint, body.text, settings, () => 0);
        process.stdout.write(`${JSON.stringify({ body: body.name, config: configName, mode, endpoint, status: result.status, outcome: result.outcome, rules: result.rules, answer: JSON.stringify(result.body) })}\n`);
      }
    }
  }
}
