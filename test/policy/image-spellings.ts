// Many spellings of image references, for the tests of the image lookup the
// writable-paths-mounted policies carry.
const REGISTRIES = ['', 'docker.io/', 'index.docker.io/', 'registry-1.docker.io/', 'ghcr.io/', 'quay.io/', 'localhost:5000/', 'localhost/', 'Docker.IO/'];
const REPOSITORIES = [
  'nginx', 'library/nginx', 'NGINX', 'Library/Nginx', 'nginxinc/nginx-unprivileged', 'nginxinc/nginx-unprivileged-otel', 'prom/prometheus',
  'prometheus/prometheus', 'haproxytech/haproxy-debian', 'grafana/grafana', 'keycloak/keycloak', 'bitnami/redis', 'vault',
  'team/nginx', 'tomcat', 'a.b/c', '',
];
const TAGS = ['', ':1.27', ':', ':latest'];
const DIGESTS = ['', `@sha256:${'a'.repeat(64)}`, '@'];

/** Spellings of images the knowledge base knows and does not know, and text that names no image. */
export function imageSpellings(): string[] {
  const out = new Set<string>([' nginx', 'nginx ', 'ngi nx', '@sha256:abc', ':1.0', 'nginx:1.27:2', 'localhost:5000']);
  for (const registry of REGISTRIES) for (const repository of REPOSITORIES) for (const tag of TAGS) for (const digest of DIGESTS) out.add(`${registry}${repository}${tag}${digest}`);
  return [...out];
}
