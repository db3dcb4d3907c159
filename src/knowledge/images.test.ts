import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_IMAGE_KNOWLEDGE, KnowledgeBase } from './images.js';
import type { ImageKnowledge } from './images.js';

const builtin = (id: string): ImageKnowledge => {
  const entry = BUILTIN_IMAGE_KNOWLEDGE.find((e) => e.id === id);
  assert.ok(entry, `no built-in entry ${id}`);
  return entry;
};

test('lookup matches every spelling of an image, and repeated lookups give the same answer', () => {
  const knowledge = KnowledgeBase.withExtra([]);
  const digest = `sha256:${'a'.repeat(64)}`;
  for (const image of ['nginx', 'nginx:1.27', 'docker.io/library/nginx:1.27', `index.docker.io/library/nginx@${digest}`, 'public.ecr.aws/nginx/nginx:stable']) {
    assert.equal(knowledge.lookup(image)?.id, 'nginx', image);
    assert.equal(knowledge.lookup(image)?.id, 'nginx', `${image} (remembered)`);
  }
  assert.equal(knowledge.lookup('nginxinc/nginx-unprivileged:1.27-alpine')?.id, 'nginx-unprivileged');
  assert.equal(knowledge.lookup('ghcr.io/acme/nginx:1'), undefined);
  assert.equal(knowledge.lookup('ghcr.io/acme/nginx:1'), undefined, 'a remembered miss stays a miss');
  assert.equal(knowledge.lookup(undefined), undefined);
});

test('entries from the config win over built-in ones, per knowledge base', () => {
  const own: ImageKnowledge = { id: 'config:nginx*', images: ['nginx*'], writablePaths: [], sources: ['.rootlock.yaml'], verified: false };
  const plain = KnowledgeBase.withExtra([]);
  const configured = KnowledgeBase.withExtra([own]);
  assert.equal(plain.lookup('nginx:1.27'), builtin('nginx'));
  assert.equal(configured.lookup('nginx:1.27'), own);
  assert.equal(plain.lookup('nginx:1.27'), builtin('nginx'), 'what one knowledge base remembers does not leak into another');
});

test('lookup stays right after more distinct images than it remembers', () => {
  const knowledge = KnowledgeBase.withExtra([]);
  assert.equal(knowledge.lookup('redis:7')?.id, 'redis');
  for (let i = 0; i < 10_050; i++) assert.equal(knowledge.lookup(`registry.example.com/team/app-${i}:v1`), undefined);
  assert.equal(knowledge.lookup('redis:7')?.id, 'redis');
  assert.equal(knowledge.lookup('postgres:16')?.id, 'postgres');
});

test('the earliest entry wins, whether its pattern is exact or has a wildcard', () => {
  const exact: ImageKnowledge = { id: 'exact', images: ['haproxytech/haproxy-ingress'], writablePaths: [], sources: ['test'], verified: false };
  const wildcard: ImageKnowledge = { id: 'wildcard', images: ['docker.io/library/redis*'], writablePaths: [], sources: ['test'], verified: false };
  assert.equal(KnowledgeBase.withExtra([]).lookup('haproxytech/haproxy-ingress:3')?.id, 'haproxy', 'built-in wildcard haproxytech/haproxy-*');
  assert.equal(KnowledgeBase.withExtra([exact]).lookup('haproxytech/haproxy-ingress:3')?.id, 'exact');
  assert.equal(KnowledgeBase.withExtra([wildcard]).lookup('redis:7')?.id, 'wildcard', 'an earlier wildcard beats a later exact pattern');
  assert.equal(KnowledgeBase.withExtra([exact, wildcard]).lookup('nginx')?.id, 'nginx');
});
