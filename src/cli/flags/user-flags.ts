/**
 * Flags of `bosun user add NAME` (commands/user.ts). `--group` may be given more than once, so the
 * command registers these on commander (which collects repeats) rather than through parseFlags.
 */
import { DEFAULT_DATA_DIR } from '../../api/defaults.js';
import { duration, type Flag } from './flag.js';

export const USER_ADD_DESCRIPTION = 'add a user: a key, a CertificateSigningRequest for the kube-apiserver-client signer, approved, and a kubeconfig with the issued certificate';

export const USER_ADD_FLAGS: readonly Flag[] = [
  { name: 'group', value: 'group', help: 'a group of the user (the certificate\'s O); repeat for more (system:masters is refused by the API server)' },
  { name: 'kubeconfig-out', value: 'path', help: 'where to write the new user\'s kubeconfig (default ./NAME.kubeconfig)' },
  { name: 'duration', value: 'duration', help: 'validity of the certificate, at least 10m (default: the signer\'s, one year)', parse: duration },
  { name: 'data-dir', value: 'dir', help: 'the server\'s data dir (its admin kubeconfig is used)', default: DEFAULT_DATA_DIR },
  { name: 'kubeconfig', value: 'path', help: 'kubeconfig of an administrator who may create and approve CertificateSigningRequests (default DATA_DIR/kubeconfig.yaml)' },
  { name: 'server', value: 'url', help: 'API server URL written into the new kubeconfig (default: the administrator kubeconfig\'s)' },
  { name: 'timeout', value: 'duration', help: 'how long to wait for the certificate', default: '60s', parse: duration },
];
