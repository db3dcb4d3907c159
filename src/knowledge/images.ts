// Image knowledge base: which paths an image writes to at run time, which user
// it runs as and which capabilities it needs once ALL are dropped. Every entry
// names its sources so a reviewer can check it (a path its sources do not
// cover names its own); entries not yet confirmed on a running image say so
// (`verified: false`) and fixes treat them with care.
import { globToRegExp, hasWildcard, imageCandidates } from './image-ref.js';
import { remember } from '../core/strings.js';

export interface WritablePath {
  path: string;
  why: string;
  /** The image ships files there: an emptyDir would hide them, so they must be copied in first. */
  shipsFiles?: boolean;
  /**
   * Written only in some configurations, said as the condition (`the configuration logs to files`).
   * Such a path is reported at info and never mounted by rootlock fix or required by a policy.
   */
  when?: string;
  /** Where this path is documented, when the entry's sources do not say it. */
  source?: string;
}

/** The paths an image always writes to, without which it fails under a read-only root. */
export function requiredPaths(entry: ImageKnowledge): WritablePath[] {
  return entry.writablePaths.filter((writable) => writable.when === undefined);
}

export interface ImageKnowledge {
  id: string;
  /** Image name patterns (see imageMatches): `nginx` matches docker.io/library/nginx with any tag. */
  images: string[];
  writablePaths: WritablePath[];
  /** The uid the image runs as by default; 0 for root. Absent when not known. */
  runsAsUser?: number;
  /** Capabilities the image needs added back after `drop: [ALL]`. */
  capabilities?: string[];
  notes?: string;
  sources: string[];
  verified: boolean;
}

const tmp = (why = 'temporary files'): WritablePath => ({ path: '/tmp', why });

export const BUILTIN_IMAGE_KNOWLEDGE: readonly ImageKnowledge[] = [
  {
    id: 'nginx',
    images: ['nginx', 'docker.io/library/nginx', 'mirror.gcr.io/library/nginx', 'public.ecr.aws/nginx/nginx'],
    writablePaths: [
      tmp(),
      { path: '/var/run', why: 'nginx.pid' },
      { path: '/var/cache/nginx', why: 'client_temp, proxy_temp and the other temp paths' },
      {
        path: '/var/log/nginx',
        why: 'access and error logs',
        when: 'its configuration logs to files other than access.log and error.log, which the image links to /dev/stdout and /dev/stderr',
      },
    ],
    runsAsUser: 0,
    capabilities: ['CHOWN', 'SETUID', 'SETGID', 'NET_BIND_SERVICE'],
    notes: 'The master process runs as root and switches workers to uid 101; it chowns its temp directories at start.',
    sources: [
      'https://github.com/nginx/docker-nginx/blob/master/mainline/debian/Dockerfile',
      'CKS study guide "Ensuring Container Immutability": Nginx with Immutable Root Filesystem',
    ],
    verified: false,
  },
  {
    id: 'nginx-unprivileged',
    images: ['nginxinc/nginx-unprivileged', 'ghcr.io/nginxinc/nginx-unprivileged', 'nginxinc/nginx-unprivileged*'],
    writablePaths: [tmp('pid file and all temp paths are moved to /tmp')],
    runsAsUser: 101,
    capabilities: [],
    sources: ['https://github.com/nginx/docker-nginx-unprivileged'],
    verified: false,
  },
  {
    id: 'httpd',
    images: ['httpd', 'docker.io/library/httpd'],
    writablePaths: [{ path: '/usr/local/apache2/logs', why: 'httpd.pid' }],
    runsAsUser: 0,
    sources: ['https://github.com/docker-library/httpd/blob/master/2.4/Dockerfile'],
    verified: false,
  },
  {
    id: 'haproxy',
    images: ['haproxy', 'docker.io/library/haproxy', 'haproxytech/haproxy-*'],
    writablePaths: [
      { path: '/var/lib/haproxy', why: 'stats socket', when: 'the configuration opens a stats socket there' },
      { path: '/run', why: 'pid file', when: 'the configuration writes a pidfile' },
    ],
    runsAsUser: 99,
    sources: ['https://github.com/docker-library/haproxy'],
    verified: false,
  },
  {
    id: 'traefik',
    images: ['traefik', 'docker.io/library/traefik', 'traefik/traefik'],
    writablePaths: [
      tmp(),
      { path: '/data', why: 'acme.json certificate store' },
      { path: '/plugins-storage', why: 'downloaded plugins', when: 'plugins are enabled' },
    ],
    runsAsUser: 65532,
    sources: ['https://github.com/traefik/traefik-helm-chart/blob/master/traefik/values.yaml'],
    verified: false,
  },
  {
    id: 'caddy',
    images: ['caddy', 'docker.io/library/caddy'],
    writablePaths: [{ path: '/data', why: 'certificates and state' }, { path: '/config', why: 'autosaved config' }],
    runsAsUser: 0,
    capabilities: ['NET_BIND_SERVICE'],
    sources: ['https://github.com/caddyserver/caddy-docker'],
    verified: false,
  },
  {
    id: 'postgres',
    images: ['postgres', 'docker.io/library/postgres', 'bitnami/postgresql'],
    writablePaths: [
      tmp(),
      { path: '/var/lib/postgresql/data', why: 'PGDATA (a VOLUME in the image)' },
      { path: '/var/run/postgresql', why: 'unix socket and lock file' },
    ],
    runsAsUser: 999,
    notes: 'From version 18 on, PGDATA is /var/lib/postgresql/18/docker and the VOLUME is /var/lib/postgresql: mount /var/lib/postgresql for those tags.',
    sources: ['https://github.com/docker-library/postgres/blob/master/Dockerfile-debian.template'],
    verified: false,
  },
  {
    id: 'mysql',
    images: ['mysql', 'docker.io/library/mysql'],
    writablePaths: [tmp(), { path: '/var/lib/mysql', why: 'data (a VOLUME in the image)' }, { path: '/var/run/mysqld', why: 'socket and pid' }],
    runsAsUser: 999,
    sources: ['https://github.com/docker-library/mysql'],
    verified: false,
  },
  {
    id: 'mariadb',
    images: ['mariadb', 'docker.io/library/mariadb'],
    writablePaths: [tmp(), { path: '/var/lib/mysql', why: 'data (a VOLUME in the image)' }, { path: '/run/mysqld', why: 'socket and pid' }],
    runsAsUser: 999,
    sources: ['https://github.com/MariaDB/mariadb-docker'],
    verified: false,
  },
  {
    id: 'redis',
    images: ['redis', 'docker.io/library/redis', 'valkey/valkey', 'bitnami/redis'],
    writablePaths: [{ path: '/data', why: 'RDB/AOF persistence (a VOLUME in the image)' }],
    runsAsUser: 999,
    sources: ['https://github.com/docker-library/redis', 'https://github.com/valkey-io/valkey-container'],
    verified: false,
  },
  {
    id: 'mongo',
    images: ['mongo', 'docker.io/library/mongo'],
    writablePaths: [tmp('mongod unix socket'), { path: '/data/db', why: 'data (a VOLUME)' }, { path: '/data/configdb', why: 'config servers (a VOLUME)' }],
    runsAsUser: 999,
    sources: ['https://github.com/docker-library/mongo'],
    verified: false,
  },
  {
    id: 'memcached',
    images: ['memcached', 'docker.io/library/memcached'],
    writablePaths: [],
    runsAsUser: 11211,
    sources: ['https://github.com/docker-library/memcached'],
    verified: false,
  },
  {
    id: 'rabbitmq',
    images: ['rabbitmq', 'docker.io/library/rabbitmq'],
    writablePaths: [
      tmp(),
      { path: '/var/lib/rabbitmq', why: 'Erlang cookie and mnesia data (a VOLUME)' },
      { path: '/etc/rabbitmq', why: 'generated config', shipsFiles: true },
      { path: '/var/log/rabbitmq', why: 'logs' },
    ],
    runsAsUser: 999,
    sources: ['https://github.com/docker-library/rabbitmq'],
    verified: false,
  },
  {
    id: 'elasticsearch',
    images: ['elasticsearch', 'docker.elastic.co/elasticsearch/elasticsearch', 'opensearchproject/opensearch'],
    writablePaths: [
      tmp(),
      { path: '/usr/share/elasticsearch/data', why: 'indices' },
      { path: '/usr/share/elasticsearch/logs', why: 'logs' },
      { path: '/usr/share/elasticsearch/config', why: 'keystore temp file', shipsFiles: true },
    ],
    runsAsUser: 1000,
    sources: ['https://github.com/elastic/helm-charts/blob/main/elasticsearch/values.yaml'],
    verified: false,
  },
  {
    id: 'grafana',
    images: ['grafana/grafana', 'grafana/grafana-oss', 'grafana/grafana-enterprise'],
    writablePaths: [
      tmp(),
      { path: '/var/lib/grafana', why: 'sqlite database and plugins' },
      { path: '/var/log/grafana', why: 'log files', when: 'file logging is enabled (the chart logs to the console)' },
    ],
    runsAsUser: 472,
    sources: ['https://github.com/grafana/helm-charts/blob/main/charts/grafana/values.yaml'],
    verified: false,
  },
  {
    id: 'prometheus',
    images: ['prom/prometheus', 'quay.io/prometheus/prometheus'],
    writablePaths: [{ path: '/prometheus', why: 'TSDB (a VOLUME)' }],
    runsAsUser: 65534,
    sources: ['https://github.com/prometheus/prometheus/blob/main/Dockerfile'],
    verified: false,
  },
  {
    id: 'alertmanager',
    images: ['prom/alertmanager', 'quay.io/prometheus/alertmanager'],
    writablePaths: [{ path: '/alertmanager', why: 'silences and notification log (a VOLUME)' }],
    runsAsUser: 65534,
    sources: ['https://github.com/prometheus/alertmanager/blob/main/Dockerfile'],
    verified: false,
  },
  {
    id: 'node',
    images: ['node', 'docker.io/library/node'],
    writablePaths: [
      tmp('os.tmpdir(), and the npm cache with NPM_CONFIG_CACHE=/tmp/.npm'),
      { path: '/home/node/.npm', why: 'npm cache and logs', when: 'npm runs when the container starts (npm start, npx)' },
    ],
    sources: ['https://github.com/nodejs/docker-node/blob/main/docs/BestPractices.md'],
    verified: false,
  },
  {
    id: 'python',
    images: ['python', 'docker.io/library/python'],
    writablePaths: [tmp('tempfile module; "No usable temporary directory found" without it')],
    notes: '__pycache__ write failures are not fatal (PYTHONDONTWRITEBYTECODE=1 silences them).',
    sources: ['https://docs.python.org/3/library/tempfile.html#tempfile.gettempdir'],
    verified: false,
  },
  {
    id: 'jvm',
    images: ['openjdk', 'eclipse-temurin', 'amazoncorretto', 'docker.io/library/openjdk', 'docker.io/library/eclipse-temurin'],
    writablePaths: [tmp('java.io.tmpdir and hsperfdata')],
    sources: ['https://docs.oracle.com/en/java/javase/21/docs/specs/man/java.html'],
    verified: false,
  },
  {
    id: 'tomcat',
    images: ['tomcat', 'docker.io/library/tomcat'],
    writablePaths: [
      tmp(),
      { path: '/usr/local/tomcat/logs', why: 'catalina logs' },
      { path: '/usr/local/tomcat/temp', why: 'CATALINA_TMPDIR' },
      { path: '/usr/local/tomcat/work', why: 'compiled JSPs' },
    ],
    sources: ['https://github.com/docker-library/tomcat'],
    verified: false,
  },
  {
    id: 'php-fpm',
    images: ['php'],
    writablePaths: [tmp('sessions and uploads')],
    sources: ['https://github.com/docker-library/php'],
    verified: false,
  },
  {
    id: 'wordpress',
    images: ['wordpress', 'docker.io/library/wordpress'],
    writablePaths: [tmp(), { path: '/var/www/html', why: 'wp-content and the copied source (a VOLUME)', shipsFiles: true }, { path: '/run', why: 'apache pid' }],
    runsAsUser: 0,
    sources: ['https://github.com/docker-library/wordpress'],
    verified: false,
  },
  {
    id: 'keycloak',
    images: ['quay.io/keycloak/keycloak', 'keycloak/keycloak'],
    writablePaths: [
      tmp(),
      { path: '/opt/keycloak/data', why: 'H2 database and tmp' },
      { path: '/opt/keycloak/lib/quarkus', why: 'the build Keycloak runs at start', when: 'it is started without --optimized', shipsFiles: true },
    ],
    runsAsUser: 1000,
    sources: ['https://www.keycloak.org/server/containers'],
    verified: false,
  },
  {
    id: 'vault',
    images: ['hashicorp/vault', 'vault'],
    writablePaths: [tmp(), { path: '/vault/file', why: 'file storage' }, { path: '/vault/logs', why: 'audit logs' }, { path: '/home/vault', why: 'token helper' }],
    capabilities: ['IPC_LOCK'],
    notes: 'Set SKIP_SETCAP and SKIP_CHOWN so the entrypoint does not write to the image.',
    sources: ['https://github.com/hashicorp/vault/blob/main/Dockerfile'],
    verified: false,
  },
  {
    id: 'coredns',
    images: ['coredns/coredns', 'registry.k8s.io/coredns/coredns'],
    writablePaths: [],
    capabilities: ['NET_BIND_SERVICE'],
    sources: ['https://github.com/coredns/deployment/blob/master/kubernetes/coredns.yaml.sed'],
    verified: false,
  },
  {
    id: 'busybox',
    images: ['busybox', 'alpine', 'docker.io/library/busybox', 'docker.io/library/alpine'],
    writablePaths: [{ path: '/tmp', why: 'temporary files', when: 'its scripts use here-documents, mktemp or sed -i' }],
    sources: ['https://github.com/docker-library/busybox'],
    verified: false,
  },
];

/** Id of the entry `fix` assumes for images the knowledge base does not know. */
export const UNKNOWN_IMAGE_ID = 'unknown-image';

/** What `fix` assumes of an image nobody described: it writes temporary files and nothing else. */
export function unknownImageKnowledge(paths: readonly string[]): ImageKnowledge {
  return {
    id: UNKNOWN_IMAGE_ID,
    images: [],
    writablePaths: paths.map((path) => ({ path, why: 'assumed for images rootlock does not know (fix.defaultWritablePaths)' })),
    sources: ['rootlock default: entrypoint shells and most runtimes need a writable /tmp'],
    verified: false,
  };
}

/** A remembered lookup that matched no entry. */
const NO_MATCH = Symbol('no match');

export class KnowledgeBase {
  /** image -> matching entry; the webhook asks about the same images on every request. Bounded. */
  private readonly matches = new Map<string, ImageKnowledge | typeof NO_MATCH>();
  /** One knowledge base per config's image list, so the match cache outlives a single Engine. */
  private static readonly perConfig = new WeakMap<readonly ImageKnowledge[], KnowledgeBase>();

  /** Patterns without wildcards match one spelling exactly: spelling -> index of the first entry with it. */
  private readonly exact = new Map<string, number>();
  /** Patterns with wildcards, in entry order. */
  private readonly wildcards: Array<{ index: number; pattern: RegExp }> = [];

  /** `fallback` answers for images no entry matches: `fix` uses it, `audit` does not (it reports only what it knows). */
  constructor(private readonly entries: readonly ImageKnowledge[], private readonly fallback?: ImageKnowledge) {
    entries.forEach((entry, index) => {
      for (const pattern of entry.images) {
        if (hasWildcard(pattern)) this.wildcards.push({ index, pattern: globToRegExp(pattern) });
        else if (!this.exact.has(pattern)) this.exact.set(pattern, index);
      }
    });
  }

  /** User entries come first so a config can override a built-in one. */
  static withExtra(extra: readonly ImageKnowledge[], fallback?: ImageKnowledge): KnowledgeBase {
    if (fallback !== undefined) return new KnowledgeBase([...extra, ...BUILTIN_IMAGE_KNOWLEDGE], fallback);
    let base = KnowledgeBase.perConfig.get(extra);
    if (!base) {
      base = new KnowledgeBase([...extra, ...BUILTIN_IMAGE_KNOWLEDGE]);
      KnowledgeBase.perConfig.set(extra, base);
    }
    return base;
  }

  lookup(image: string | undefined): ImageKnowledge | undefined {
    if (image === undefined) return this.fallback;
    // NO_MATCH stands for a remembered miss; several rules ask about every container's image.
    const match = remember(this.matches, image, (own) => this.firstMatch(own) ?? NO_MATCH);
    return match === NO_MATCH ? this.fallback : match;
  }

  /** The first entry with a pattern that matches one of the image's spellings (see imageMatches). */
  private firstMatch(image: string): ImageKnowledge | undefined {
    const candidates = imageCandidates(image);
    let first = this.entries.length;
    for (const candidate of candidates) {
      const index = this.exact.get(candidate);
      if (index !== undefined && index < first) first = index;
    }
    for (const { index, pattern } of this.wildcards) {
      if (index >= first) break;
      if (candidates.some((candidate) => pattern.test(candidate))) {
        first = index;
        break;
      }
    }
    return this.entries[first];
  }

  all(): readonly ImageKnowledge[] {
    return this.entries;
  }
}
