#!/usr/bin/env bash
# Builds .test-images/node-operator.tar (bosun.test/node-operator:1): an operator written against
# @kubernetes/client-node running in a container, for test/e2e/operator-pod.test.ts. The machine's
# node binary (`command -v node`) with the shared libraries ldd lists, busybox's sh/cat/sleep/ls, and
# src/apiserver/crd/testdata/widget-operator.ts bundled with esbuild into one file, /operator.mjs.
# The default command runs it with no arguments: in-cluster config (KubeConfig.loadFromCluster(),
# the mounted ServiceAccount token and ca.crt, KUBERNETES_SERVICE_HOST/PORT), the pod's namespace.
# The image also carries /grpc-health.mjs (src/agent/probes/testdata/grpc-health-server.ts bundled
# the same way): a grpc.health.v1 server, run as `node /grpc-health.mjs [PORT]` by the GRPC liveness
# probe conformance tests (test/e2e/conformance-node-pods-hooks-probes.ts).
# Idempotent: does nothing when the tarball is newer than this script, node and both sources.
# Needs: busybox-static, node, npm ci (esbuild, @kubernetes/client-node), umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-images
self=scripts/build-test-node-operator-image.sh
src=src/apiserver/crd/testdata/widget-operator.ts
grpc_src=src/agent/probes/testdata/grpc-health-server.ts
node=$(command -v node) || { echo "build-test-node-operator-image: node missing" >&2; exit 1; }
node=$(readlink -f "$node")
tar="$out/node-operator.tar"

if [ -f "$tar" ] && [ "$tar" -nt "$self" ] && [ "$tar" -nt "$node" ] && [ "$tar" -nt "$src" ] && [ "$tar" -nt "$grpc_src" ]; then
  echo "build-test-node-operator-image: up to date ($tar)"; exit 0
fi

mkdir -p "$out"
. scripts/lib/test-image.sh
image_begin op
image_busybox sh cat sleep ls
image_binary "$node" node
# bundle SRC OUT: one ESM file with its dependencies inlined; `require` for the CommonJS ones.
bundle() {
  npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --outfile="$root/$2"
}
bundle "$src" operator.mjs
bundle "$grpc_src" grpc-health.mjs
# The image must run where it is going: the copied node with only the copied libraries.
env -u NODE_EXTRA_CA_CERTS chroot "$root" /bin/node -e 'process.exit(0)' || { echo "build-test-node-operator-image: node does not run in the image" >&2; exit 1; }
image_repack
umoci config --image "$layout:op" --no-history \
  --config.env PATH=/bin \
  --config.entrypoint /bin/node \
  --config.cmd /operator.mjs
image_export "$tar" bosun.test/node-operator:1
echo "build-test-node-operator-image: built $tar (bosun.test/node-operator:1)"
