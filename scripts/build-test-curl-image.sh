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
busybox=/bin/busybox

[ -x "$curl" ] || { echo "build-test-curl-image: $curl missing (apt-get install curl)" >&2; exit 1; }
if [ -f "$out/curl.tar" ] && [ "$out/curl.tar" -nt "$self" ] && [ "$out/curl.tar" -nt "$curl" ]; then
  echo "build-test-curl-image: up to date ($out/curl.tar)"; exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/bosun-curl-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
layout="$work/oci"
umoci init --layout "$layout"
umoci new --image "$layout:curl"
umoci unpack --image "$layout:curl" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat sleep ls; do ln -s busybox "$root/bin/$applet"; done
cp "$curl" "$root/bin/curl"
# Every library curl needs (and the dynamic loader), at the paths the loader looks for them.
for lib in $(ldd "$curl" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/:/bin/sh\n' >"$root/etc/passwd"
umoci repack --image "$layout:curl" "$work/bundle" >/dev/null
umoci config --image "$layout:curl" --no-history \
  --config.env PATH=/bin \
  --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'
umoci gc --layout "$layout"
rm -f "$out/curl.tar"
skopeo copy -q "oci:$layout:curl" "docker-archive:$out/curl.tar:bosun.test/curl:1"
echo "build-test-curl-image: built $out/curl.tar (bosun.test/curl:1)"
