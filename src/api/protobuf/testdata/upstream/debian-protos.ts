/**
 * Upstream's generated.proto text as Debian 12 ships it: golang-github-openshift-api-dev vendors
 * k8s.io/api and k8s.io/apimachinery from May 2019 (about Kubernetes 1.14). Installed by
 * `scripts/setup.sh --test`. Pinned: the package version, and the sha256 of every file read
 * (a new Debian revision with other files fails the test until the pins are looked at again).
 * Protobuf field numbers are never reused once assigned, so every field present both here and in
 * Bosun's .proto must have the same number and type; fields added after 2019 are not here.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { Renames } from './proto-facts.js';

export const DEBIAN_PACKAGE = 'golang-github-openshift-api-dev';
export const DEBIAN_VERSION = '4.0+git20190508.81d064c-4';
const VENDOR = '/usr/share/gocode/src/github.com/openshift/api/vendor/';

/** Every file the comparison reads (the packages Bosun has .proto for, and what they import), with its sha256. */
export const DEBIAN_PROTO_SHA256: Record<string, string> = {
  'k8s.io/api/apps/v1/generated.proto': '2e0de3b5fe9e96540b5b04973291a36473124446f029c80d80d162dc6dff7cc3',
  'k8s.io/api/authentication/v1/generated.proto': 'bd8bd2c758351170454a397d60d88b19d4f361dc10eff96417ee0741117644aa',
  'k8s.io/api/authorization/v1/generated.proto': '684ebbad622810f5b6e11cc47251de71c88696eb73123d3f72b90c4302fbb425',
  'k8s.io/api/autoscaling/v1/generated.proto': 'dab61cfe2e4c6681a28c0f3116a79e71932d5c7f449e81528f2f4393e5564adf',
  'k8s.io/api/batch/v1/generated.proto': '0ed37f6cf883deb4c4b05c5c09fc51235e3fea22e474beddd862055b49e1b7a5',
  'k8s.io/api/core/v1/generated.proto': '57dea1d9faaaa394e07661276654516bc3e2fa65f09c20d8de9362bcdcb4d535',
  'k8s.io/api/rbac/v1/generated.proto': '28800f3dc700292c3cf2b6eb33650e46bfb31238f6ae2fa51f7c11cd993cf4ad',
  'k8s.io/apimachinery/pkg/api/resource/generated.proto': 'f46b9547522a3b9ed498f8a773393168d5be28ad76bf9bf88674bd4ff3df94d1',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto': 'd6a1e0ded798dfd185c4f9e5c8607e9316f4bb36073df2e24cf7d612de6e7722',
  'k8s.io/apimachinery/pkg/runtime/generated.proto': '0c1cfe3d39a1328ca4918147b16078286459549b82f8fbd41426ee487345097f',
  'k8s.io/apimachinery/pkg/runtime/schema/generated.proto': '6ae89160a72bea5837ab58f328bdb3cfd43444a70236d540cd302f38b9a1ea9a',
  'k8s.io/apimachinery/pkg/util/intstr/generated.proto': 'a2ca74724edf052f450f89b990c05fa4411b296e8aa1e40ece8022d2add15c55',
};

/**
 * What releases after 2019 renamed without changing the bytes (so the 2019 name is no drift; the
 * v1.32 comparison checks today's names): core/v1 Handler became ProbeHandler and LifecycleHandler
 * (1.23), a PersistentVolumeClaim's ResourceRequirements became VolumeResourceRequirements (1.29,
 * the same fields 1 and 2, claims 3 left out), and BoundObjectReference's aPIVersion became apiVersion.
 */
export const RENAMED_SINCE_2019: Renames = {
  messages: {
    'k8s.io.api.core.v1.Handler': ['k8s.io.api.core.v1.ProbeHandler', 'k8s.io.api.core.v1.LifecycleHandler'],
    'k8s.io.api.core.v1.ResourceRequirements': ['k8s.io.api.core.v1.VolumeResourceRequirements'],
  },
  fields: { 'k8s.io.api.authentication.v1.BoundObjectReference.aPIVersion': 'apiVersion' },
};

/** Why the Debian copy cannot be used here, or undefined when it can. */
export function debianUnavailable(): string | undefined {
  let version = '';
  try {
    version = execFileSync('dpkg-query', ['-W', '-f=${Version}', DEBIAN_PACKAGE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return `${DEBIAN_PACKAGE} is not installed (scripts/setup.sh --test installs it)`;
  }
  if (version !== DEBIAN_VERSION) return undefined; // a mismatch is a failure, not a skip: checked by the test
  return Object.keys(DEBIAN_PROTO_SHA256).every((p) => existsSync(VENDOR + p)) ? undefined : `${DEBIAN_PACKAGE} ${version} lacks a vendored generated.proto`;
}

/** The installed package's version (compared with DEBIAN_VERSION by the test). */
export function debianVersion(): string {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', DEBIAN_PACKAGE], { encoding: 'utf8' });
}

/** sha256 of each pinned file as installed. */
export function debianChecksums(): Record<string, string> {
  return Object.fromEntries(Object.keys(DEBIAN_PROTO_SHA256).map((p) => [p, createHash('sha256').update(readFileSync(VENDOR + p)).digest('hex')]));
}

/** The pinned files parsed into one resolved Root (imports `k8s.io/...` found in the vendor folder). */
export function debianRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('k8s.io/') ? VENDOR + target : target);
  root.loadSync(Object.keys(DEBIAN_PROTO_SHA256), { keepCase: true });
  root.resolveAll();
  return root;
}
