#!/usr/bin/env bash
# Builds .test-images/curl.tar (bosun.test/curl:1): busybox's sh/cat/sleep plus Debian's curl with
# the shared libraries it links (copied as ldd lists them), for tests of in-cluster HTTPS clients
# that verify the API server against the mounted ca.crt. busybox's own wget cannot be that client:
# its TLS sends no signature_algorithms, so a TLS 1.2 server must sign with SHA-1, which OpenSSL 3
# (the API server's) refuses.
# Idempotent: does nothing when the tarball is newer than this script and /usr/bin/curl.
# Needs: busybox-static, curl, umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-images
self=scripts/build-test-curl-image.sh
curl=/usr/bin/curl

[ -x "$curl" ] || { echo "build-test-curl-image: $curl missing (apt-get install curl)" >&2; exit 1; }
if [ -f "$out/curl.tar" ] && [ "$out/curl.tar" -nt "$self" ] && [ "$out/curl.tar" -nt "$curl" ]; then
  echo "build-test-curl-image: up to date ($out/curl.tar)"; exit 0
fi

mkdir -p "$out"
. scripts/lib/test-image.sh
image_begin curl
image_busybox sh cat sleep ls
image_binary "$curl" curl
image_repack
umoci config --image "$layout:curl" --no-history \
  --config.env PATH=/bin \
  --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'
image_export "$out/curl.tar" bosun.test/curl:1
echo "build-test-curl-image: built $out/curl.tar (bosun.test/curl:1)"
