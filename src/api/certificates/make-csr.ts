/**
 * A new private key and a PKCS#10 request for it (what `openssl req -new` or client-go's
 * cert.MakeCSR give), for clients that ask the cluster for a certificate (`bosun user add`).
 * The key is RSA 2048, generated natively (forge's pure-JS generation takes seconds).
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface NewCsr {
  /** PKCS#1 PEM private key. */
  key: string;
  /** PEM CERTIFICATE REQUEST. */
  csr: string;
}

export function makeCsr(commonName: string, organizations: readonly string[] = []): NewCsr {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const priv = forge.pki.privateKeyFromPem(privateKey);
  const req = forge.pki.createCertificationRequest();
  req.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  req.setSubject([...organizations.map((value) => ({ name: 'organizationName', value })), { name: 'commonName', value: commonName }]);
  req.sign(priv, forge.md.sha256.create());
  return { key: privateKey, csr: forge.pki.certificationRequestToPem(req) };
}
