/**
 * A self-signed serving certificate for the agent server, for a server that must listen before the
 * cluster CA exists (test harnesses replace it with setTls once it does), as the kubelet makes one
 * without --tls-cert-file. Bosun's API server refuses it: it verifies every agent's certificate
 * against the cluster CA and the node name (src/apiserver/node-proxy/agent-client.ts). RSA keys
 * come from node's crypto; node-forge only builds and signs the certificate.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ServingCertificate {
  cert: string;
  key: string;
}

export function selfSignedServingCertificate(commonName: string, dnsNames: string[] = [], ips: string[] = [], validDays = 365): ServingCertificate {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + validDays * 24 * 60 * 60 * 1000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const altNames = [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(priv, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
