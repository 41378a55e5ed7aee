# Shared steps of the scripts that build one test image from this machine's binaries
# (build-test-curl-image.sh, build-test-webhook-image.sh, build-test-node-operator-image.sh).
# Source it after `set -euo pipefail`. Contract: image_begin makes $work (removed on exit), $layout
# (an OCI layout holding the tag) and $root (the unpacked rootfs with /bin, /etc and a 1777 /tmp);
# the caller adds files, then calls image_repack, sets the config with umoci, and image_export.
# Needs: busybox-static, umoci, skopeo.

# image_begin TAG: a fresh OCI layout with an empty image TAG, unpacked.
image_begin() {
  image_tag=$1
  work=$(mktemp -d "${TMPDIR:-/tmp}/bosun-$image_tag-image.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  layout="$work/oci"
  umoci init --layout "$layout"
  umoci new --image "$layout:$image_tag"
  umoci unpack --image "$layout:$image_tag" "$work/bundle" >/dev/null
  root="$work/bundle/rootfs"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  printf 'root:x:0:0:root:/:/bin/sh\n' >"$root/etc/passwd"
}

# image_busybox APPLET...: /bin/busybox (Debian's static build) and a link per applet.
image_busybox() {
  cp /bin/busybox "$root/bin/busybox"
  for applet in "$@"; do ln -s busybox "$root/bin/$applet"; done
}

# image_binary SRC NAME: SRC as /bin/NAME, with every shared library it links and the dynamic
# loader, copied to the paths the loader looks for them (as ldd lists them).
image_binary() {
  cp "$1" "$root/bin/$2"
  for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# image_repack: the rootfs back into the image's layer (then set its config with umoci config).
image_repack() {
  umoci repack --image "$layout:$image_tag" "$work/bundle" >/dev/null
}

# image_export TAR REF: the image as a docker-archive TAR named REF (what the tests import).
image_export() {
  umoci gc --layout "$layout"
  rm -f "$1"
  skopeo copy -q "oci:$layout:$image_tag" "docker-archive:$1:$2"
}
