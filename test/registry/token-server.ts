// A minimal Docker token service (the `auth.token` flow of the distribution
// spec) for the end-to-end test: it checks Basic credentials, grants scopes
// and signs JWTs (ES256, certificate in the x5c header) that the real
// registry verifies against its rootcertbundle. Anonymous users may pull
// everything except private/*; like Docker Hub, it answers an anonymous
// request for a scope it will not grant with a token that grants nothing.
import { createServer, type Server } from 'node:http';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface TokenRequestRecord {
  service: string | null;
  scopes: string[];
  /** Username from Basic auth, or undefined when anonymous. */
  user: string | undefined;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  requests: TokenRequestRecord[];
  close(): Promise<void>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export async function startTokenServer(options: { certificate: string; key: string; users: Record<string, string> }): Promise<TokenServer> {
  const service = 'rootlock-test-registry';
  const issuer = 'rootlock-test-token-issuer';
  const key = createPrivateKey(readFileSync(options.key));
  const certificateDer = new X509Certificate(readFileSync(options.certificate)).raw;
  const requests: TokenRequestRecord[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const authorization = request.headers.authorization;
    let user: string | undefined;
    if (authorization?.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
      if (name === undefined || options.users[name] !== rest.join(':')) {
        response.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      user = name;
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push({ service: url.searchParams.get('service'), scopes, user });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || name === undefined || actions === undefined) return [];
      const granted = user !== undefined ? actions.split(',') : name.startsWith('private/') ? [] : actions.split(',').filter((action) => action === 'pull');
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certificateDer.toString('base64')] };
    const claims = { iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${signingInput}.${base64url(signature)}`;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('token server has no address');
  return {
    realm: `http://127.0.0.1:${address.port}/token`,
    service,
    issuer,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
