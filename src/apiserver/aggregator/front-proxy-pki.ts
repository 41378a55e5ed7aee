/**
 * The front proxy's PKI (kubeadm's front-proxy-ca and front-proxy-client, in DATA_DIR/pki): a CA of
 * its own, separate from the cluster CA, and the client certificate (CN=front-proxy-client) the
 * aggregator presents to extension API servers. An extension server trusts X-Remote-User/-Group
 * headers only on a connection whose client certificate chains to requestheader-client-ca-file and
 * names one of requestheader-allowed-names (authentication-configmap.ts publishes both). A separate
 * CA keeps an ordinary cluster client certificate from ever passing as the proxy.
 */
import { issueCertificate, type KeyPair } from '../pki/certs.js';
import { readPair, writePair } from '../pki/pki.js';
import { needsRenewal } from '../pki/renewal.js';

/** The proxy's certificate's common name, the one allowed name upstream's kubeadm configures. */
export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';

export interface FrontProxyPki {
  ca: KeyPair;
  client: KeyPair;
}

/** Loads DATA_DIR/pki/front-proxy-{ca,client}.{crt,key}, creating (or renewing the client) as needed. */
export function ensureFrontProxyPki(pkiDir: string, now = Date.now()): FrontProxyPki {
  let ca = readPair(pkiDir, 'front-proxy-ca');
  let client = ca && readPair(pkiDir, 'front-proxy-client');
  if (!ca) {
    ca = issueCertificate({ commonName: 'front-proxy-ca', usage: 'ca', validDays: 3650 });
    writePair(pkiDir, 'front-proxy-ca', ca);
  }
  if (!client || needsRenewal(client.cert, now)) {
    client = issueCertificate({ commonName: FRONT_PROXY_CLIENT_CN, usage: 'client', validDays: 365 }, ca);
    writePair(pkiDir, 'front-proxy-client', client);
  }
  return { ca, client };
}
