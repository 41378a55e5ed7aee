#!/usr/bin/env bash
# Checks the npm package end to end (issue 12): `npm pack` from a clean copy of the tree (prepack
# rebuilds dist/ from scratch there, so stale files of earlier builds cannot slip in), no test code
# in the tarball, a global install of the tarball into a temporary prefix (dependencies from the
# npm registry; better-sqlite3 builds against the local node headers), then the installed
# `bosun server --help` and a `bosun server --disable-agent` on 127.0.0.1 answering /readyz.
# Not part of `npm test`: it needs the registry and takes minutes. Usage: bash scripts/check-package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# The Node.js LTS setup.sh installed, if any: the installed `bosun` runs on it, so better-sqlite3 builds for it.
. scripts/node-lts.sh
node_lts_use
work=$(mktemp -d /tmp/bosun-pack-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

tar --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./.test-images -cf - . | tar -xf - -C "$work" --one-top-level=src-copy
ln -s "$PWD/node_modules" "$work/src-copy/node_modules"
(cd "$work/src-copy" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/bosun-*.tgz)
echo "packed $(tar -tzf "$tarball" | wc -l) files, $(du -k "$tarball" | cut -f1) KiB"
if tar -tzf "$tarball" | grep -E '\.test\.|/testing/|contract|fixtures|/fake|fuzz|\.map$|\.ts$'; then
  echo "FAIL: test code or sources in the tarball" >&2
  exit 1
fi

node_lts_npm install -g --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$tarball"
bosun="$work/prefix/bin/bosun"
"$bosun" server --help | grep -q -- '--node-monitor-grace-period <duration>'
"$bosun" server --data-dir "$work/data" --port 0 --bind-address 127.0.0.1 --disable-agent >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$work/server.log" && break; sleep 0.2; done
kubectl --kubeconfig "$work/data/kubeconfig.yaml" --cache-dir "$work/kube-cache" get --raw /readyz | grep -qx ok
echo "ok: the installed package runs bosun server (/readyz ok)"
