// The baseline: the least an admission webhook can do over HTTPS. It reads
// the body, parses it to copy the uid, and allows. Same TLS settings and
// keep-alive as the rootlock webhook. Usage: trivial-server.js CERT KEY PORT
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [certFile, keyFile, port] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(String(certFile)), key: readFileSync(String(keyFile)), minVersion: 'TLSv1.2', keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET') {
      res.end('ok\n');
      return;
    }
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
    const text = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
