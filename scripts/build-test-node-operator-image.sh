#!/usr/bin/env bash
# Builds .test-images/node-operator.tar (bosun.test/node-operator:1): an operator written against
# @kubernetes/client-node running in a container, for test/e2e/operator-pod.test.ts. The machine's
# node binary (`command -v node`) with the shared libraries ldd lists, busybox's sh/cat/sleep/ls, and
# src/apiserver/crd/testdata/widget-operator.ts bundled with esbuild into one file, /operator.mjs.
# The default command runs it with no arguments: in-cluster config (KubeConfig.loadFromCluster(),
# the mounted ServiceAccount token and ca.crt, KUBERNETES_SERVICE_HOST/PORT), the pod's namespace.
# Idempotent: does nothing when the tarball is newer than this script, node and the operator source.
# Needs: busybox-static, node, npm ci (esbuild, @kubernetes/client-node), umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-images
self=scripts/build-test-node-operator-image.sh
src=src/apiserver/crd/testdata/widget-operator.ts
busybox=/bin/busybox
node=$(command -v node) || { echo "build-test-node-operator-image: node missing" >&2; exit 1; }
node=$(readlink -f "$node")
tar="$out/node-operator.tar"

if [ -f "$tar" ] && [ "$tar" -nt "$self" ] && [ "$tar" -nt "$node" ] && [ "$tar" -nt "$src" ]; then
  echo "build-test-node-operator-image: up to date ($tar)"; exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/bosun-node-operator-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
layout="$work/oci"
umoci init --layout "$layout"
umoci new --image "$layout:op"
umoci unpack --image "$layout:op" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat sleep ls; do ln -s busybox "$root/bin/$applet"; done
cp "$node" "$root/bin/node"
# Every library node needs (and the dynamic loader), at the paths the loader looks for them.
for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/:/bin/sh\n' >"$root/etc/passwd"
# One ESM file with client-node and its dependencies inlined; `require` for the CommonJS ones.
npx esbuild "$src" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$root/operator.mjs"
# The image must run where it is going: the copied node with only the copied libraries.
env -u NODE_EXTRA_CA_CERTS chroot "$root" /bin/node -e 'process.exit(0)' || { echo "build-test-node-operator-image: node does not run in the image" >&2; exit 1; }
umoci repack --image "$layout:op" "$work/bundle" >/dev/null
umoci config --image "$layout:op" --no-history \
  --config.env PATH=/bin \
  --config.entrypoint /bin/node \
  --config.cmd /operator.mjs
umoci gc --layout "$layout"
rm -f "$tar"
skopeo copy -q "oci:$layout:op" "docker-archive:$tar:bosun.test/node-operator:1"
echo "build-test-node-operator-image: built $tar (bosun.test/node-operator:1)"
