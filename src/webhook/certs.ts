// `rootlock webhook certs`: a CA and a serving certificate for the webhook's
// Service (and optional IPs), made with the openssl CLI, the tool every
// Kubernetes distribution already documents for this. P-256 keys; the CA is
// the caBundle of the webhook configurations.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertRequest {
  /** Service name and namespace: the certificate names service.namespace.svc and its variants. */
  service: string;
  namespace: string;
  /** Extra DNS names and IP addresses (e.g. 127.0.0.1 for a webhook registered by URL). */
  dnsNames?: string[];
  ips?: string[];
  days?: number;
}

export interface CertBundle {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('rootlock webhook certs needs the openssl command (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

export async function createCertificates(request: CertRequest): Promise<CertBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'rootlock-certs-'));
  try {
    const days = String(request.days ?? 365);
    const dns = [...serviceDnsNames(request.service, request.namespace), ...(request.dnsNames ?? [])];
    const san = [...dns.map((d) => `DNS:${d}`), ...(request.ips ?? []).map((ip) => `IP:${ip}`)].join(',');
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
    await openssl(['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', days, '-subj', '/CN=rootlock-webhook-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'], dir);
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'tls.key.ec'], dir);
    // PKCS#8, the form Node and Go both read.
    await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'tls.key.ec', '-out', 'tls.key'], dir);
    await openssl(['req', '-new', '-key', 'tls.key', '-subj', `/CN=${dns[2]}`, '-out', 'tls.csr'], dir);
    await writeFile(join(dir, 'ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
    await openssl(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-sha256', '-days', days, '-extfile', 'ext.cnf', '-out', 'tls.crt'], dir);
    const [caCert, caKey, cert, key] = await Promise.all(['ca.crt', 'ca.key', 'tls.crt', 'tls.key'].map((f) => readFile(join(dir, f), 'utf8')));
    return { caCert: caCert as string, caKey: caKey as string, cert: cert as string, key: key as string };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
