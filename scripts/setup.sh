#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine, as root: the OS packages Bosun uses (containerd,
# runc, CNI plugins, nftables, ...), Node.js 24 LTS when the machine has no node >= 22, the npm
# dependencies and the compiled CLI.
#   scripts/setup.sh          what `bosun server` needs
#   scripts/setup.sh --test   also what the test suite needs (test images, registry, etcd)
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

pkgs=(containerd runc containernetworking-plugins nftables iproute2 conntrack busybox-static libjemalloc2)
[ "$want_test" = 1 ] && pkgs+=(umoci skopeo docker-registry etcd-server etcd-client python3-kubernetes chromium curl socat)
# A static C binary for the nonewprivs test image (scripts/build-test-nonewprivs-image.sh).
[ "$want_test" = 1 ] && pkgs+=(gcc libc6-dev)
# Upstream's 2019 k8s.io/api generated.proto files, vendored; the protobuf drift test compares with them.
[ "$want_test" = 1 ] && pkgs+=(golang-github-openshift-api-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's packages start daemons of their own where an init system runs; Bosun runs its own
# containerd and registry, so the system copies are not needed.
# Project Calico's CRDs for src/apiserver/crd/upstream-bundle.test.ts, as Debian's python3-magnum
# ships them (inside a shell fragment): the package is only unpacked, as installing it would pull in
# 166 OpenStack packages.
magnum_dir=/opt/bosun/test-data/python3-magnum
if [ "$want_test" = 1 ] && [ ! -d "$magnum_dir" ]; then
  echo "setup: unpacking python3-magnum into $magnum_dir"
  deb_tmp=$(mktemp -d)
  chown _apt "$deb_tmp" 2>/dev/null || true # apt-get downloads as the _apt user where it exists
  (cd "$deb_tmp" && { apt-get download -qq python3-magnum || { apt-get update -qq && apt-get download -qq python3-magnum; }; })
  dpkg-deb -x "$deb_tmp"/python3-magnum_*.deb "$deb_tmp/root"
  mkdir -p "$(dirname "$magnum_dir")"
  mv "$deb_tmp/root" "$magnum_dir"
  rm -rf "$deb_tmp"
fi

# Node.js: a maintained LTS, the machine's own (>= 22) or the pinned one scripts/node-lts.sh installs
# into /opt/bosun/node (and links into /usr/local/bin); everything below runs on it.
. scripts/node-lts.sh
node_lts_install
node_lts_use
echo "setup: node $(node --version) ($(command -v node))"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  node_lts_npm ci --no-audit --no-fund
elif ! node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
  echo "setup: rebuilding better-sqlite3 for node $(node --version)" # node_modules of another node
  node_lts_npm rebuild better-sqlite3
fi
npm run --silent build
if [ "$want_test" = 1 ] && [ -x scripts/build-test-images.sh ]; then
  bash scripts/build-test-images.sh
  bash scripts/build-test-curl-image.sh
  bash scripts/build-test-webhook-image.sh
  bash scripts/build-test-node-operator-image.sh
  bash scripts/build-test-nonewprivs-image.sh
fi
echo "setup: done"
