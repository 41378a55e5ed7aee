#!/usr/bin/env bash
# Builds .test-images/nonewprivs.tar (bosun.test/nonewprivs:1), upstream's `nonewprivs` e2e image:
# /bin/nonewprivs, a static C program owned by root with the setuid bit (mode 4755), prints
# "Effective uid: N" (its geteuid()) and exits; it is the image's command. Run as a non-root user it
# prints 0 when the kernel honours the setuid bit, and the user's uid under no_new_privs
# (allowPrivilegeEscalation: false), as test/e2e/conformance-node-security-context.ts checks.
# busybox cannot stand in: it drops setuid privileges itself. umoci keeps the mode bits in the
# layer (the build runs as root, so the file is root's) and ctr keeps them when it unpacks.
# Without gcc or a static libc (libc6-dev's libc.a) it skips with a message and exit 0, so
# setup.sh goes on; the tests that need the image then fail saying how to build it.
# Idempotent: does nothing when the tarball is newer than this script.
# Needs: gcc, libc6-dev, umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-images
self=scripts/build-test-nonewprivs-image.sh
tar="$out/nonewprivs.tar"

if [ -f "$tar" ] && [ "$tar" -nt "$self" ]; then
  echo "build-test-nonewprivs-image: up to date ($tar)"; exit 0
fi

mkdir -p "$out"
. scripts/lib/test-image.sh
image_begin nonewprivs
cat >"$work/nonewprivs.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void) {
  printf("Effective uid: %d\n", (int)geteuid());
  return 0;
}
C
if ! gcc -static -Os -s -o "$root/bin/nonewprivs" "$work/nonewprivs.c"; then
  echo "build-test-nonewprivs-image: skipped, cannot build a static binary (apt-get install gcc libc6-dev)" >&2
  exit 0
fi
chown 0:0 "$root/bin/nonewprivs"
chmod 4755 "$root/bin/nonewprivs"
image_repack
umoci config --image "$layout:nonewprivs" --no-history \
  --config.env PATH=/bin \
  --config.cmd /bin/nonewprivs
image_export "$tar" bosun.test/nonewprivs:1
echo "build-test-nonewprivs-image: built $tar (bosun.test/nonewprivs:1)"
