#!/usr/bin/env bash
# Builds Bosun's local images from /bin/busybox (busybox-static) with umoci + skopeo, with no registry:
#   .test-images/pause.tar    bosun.local/pause:1   the pod sandbox ("pause") image: a shell that sleeps
#                                                   and exits at once on TERM/INT
#   .test-images/busybox.tar  bosun.test/busybox:1  busybox with every applet linked in /bin, /www/index.html,
#                                                   default command `httpd -f -p 8080 -h /www`
# Both are docker-archive tarballs (`ctr -n k8s.io images import FILE.tar`, `skopeo copy docker-archive:...`);
# the OCI layout they come from stays in .test-images/oci for pushes to a test registry.
# Idempotent: does nothing when the tarballs are newer than this script and /bin/busybox.
# Needs: busybox-static, umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-images
busybox=/bin/busybox
self=scripts/build-test-images.sh

for bin in umoci skopeo; do
  command -v "$bin" >/dev/null || { echo "build-test-images: $bin missing (apt-get install umoci skopeo)" >&2; exit 1; }
done
# A dynamically linked busybox would need its libc inside the image: busybox-static is the one that works.
[ -x "$busybox" ] || { echo "build-test-images: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

fresh() { [ -f "$1" ] && [ "$1" -nt "$self" ] && [ "$1" -nt "$busybox" ]; }
if fresh "$out/pause.tar" && fresh "$out/busybox.tar" && [ -f "$out/oci/index.json" ]; then
  echo "build-test-images: up to date ($out)"; exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/bosun-images.XXXXXX")
trap 'rm -rf "$work"' EXIT
layout="$out/oci"
rm -rf "$layout" "$out/pause.tar" "$out/busybox.tar"
umoci init --layout "$layout"

# build TAG ROOTFS-FILLER ... : a one-layer image whose rootfs is filled by the given function.
build() {
  local tag=$1 fill=$2
  local bundle="$work/$tag"
  umoci new --image "$layout:$tag"
  umoci unpack --image "$layout:$tag" "$bundle" >/dev/null
  mkdir -p "$bundle/rootfs/bin"
  cp "$busybox" "$bundle/rootfs/bin/busybox"
  "$fill" "$bundle/rootfs"
  umoci repack --image "$layout:$tag" "$bundle" >/dev/null
}

fill_pause() {
  ln -s busybox "$1/bin/sh"
  ln -s busybox "$1/bin/sleep"
}

fill_busybox() {
  local root=$1 applet
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  mkdir -p "$root/www" "$root/etc" "$root/tmp" "$root/root"
  chmod 1777 "$root/tmp"
  echo "bosun test page" >"$root/www/index.html"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

build pause fill_pause
umoci config --image "$layout:pause" --no-history \
  --config.env PATH=/bin \
  --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'

build busybox fill_busybox
umoci config --image "$layout:busybox" --no-history \
  --config.env PATH=/bin:/sbin:/usr/bin:/usr/sbin \
  --config.cmd httpd --config.cmd -f --config.cmd -p --config.cmd 8080 --config.cmd -h --config.cmd /www \
  --config.exposedports 8080/tcp
umoci gc --layout "$layout"

skopeo copy -q "oci:$layout:pause" "docker-archive:$out/pause.tar:bosun.local/pause:1"
skopeo copy -q "oci:$layout:busybox" "docker-archive:$out/busybox.tar:bosun.test/busybox:1"
echo "build-test-images: built $out/pause.tar (bosun.local/pause:1), $out/busybox.tar (bosun.test/busybox:1)"
