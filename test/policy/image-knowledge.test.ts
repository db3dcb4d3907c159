// The image lookup the writable-paths-mounted policies carry (src/policy/
// checks/image-knowledge.ts), in a real opa: for every spelling of many
// images, the Rego resolves to the paths rootlock's KnowledgeBase.lookup
// gives (none for images it does not know). The CEL version is proven on the
// API server and in Kyverno through the case table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canonicalPath } from '../../src/core/volumes.js';
import { BUILTIN_IMAGE_KNOWLEDGE, KnowledgeBase, requiredPaths } from '../../src/knowledge/images.js';
import { imageKnowledgeRego, knowledgeTable } from '../../src/policy/fragments/image-knowledge.js';
import { imageSpellings } from './image-spellings.js';
import { opaBinary } from './opa.js';

describe('the image table of writable-paths-mounted in a real opa', () => {
  it('resolves every spelling as KnowledgeBase.lookup does', () => {
    const images = imageSpellings();
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-images-'));
    try {
      writeFileSync(join(dir, 'images.rego'), `package rootlockimages\nimport future.keywords\n\n${imageKnowledgeRego(knowledgeTable(BUILTIN_IMAGE_KNOWLEDGE))}\n\nresolved := {image: paths | some image in data.images; paths := known_paths(image)}\n`);
      writeFileSync(join(dir, 'data.json'), JSON.stringify({ images }));
      const out = execFileSync(opaBinary(), ['eval', '--format', 'json', '--data', dir, 'data.rootlockimages.resolved'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const resolved = (JSON.parse(out) as { result: Array<{ expressions: Array<{ value: Record<string, string[]> }> }> }).result[0]?.expressions[0]?.value;
      assert.ok(resolved);
      const knowledge = KnowledgeBase.withExtra([]);
      const disagreements: string[] = [];
      let known = 0;
      for (const image of images) {
        const entry = knowledge.lookup(image);
        const expected = entry ? [...new Set(requiredPaths(entry).map((w) => canonicalPath(w.path)))] : undefined;
        if (expected) known++;
        if (JSON.stringify(resolved[image]) !== JSON.stringify(expected)) {
          disagreements.push(`${JSON.stringify(image)}: rootlock ${JSON.stringify(expected)}, Rego ${JSON.stringify(resolved[image])}`);
        }
      }
      assert.deepEqual(disagreements, []);
      assert.ok(known > images.length / 3 && known < images.length, `${known} of ${images.length} images known`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
