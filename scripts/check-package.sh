#!/usr/bin/env bash
# Checks the npm package end to end (issue 12): `npm pack` from a clean copy of the tree (prepack
# rebuilds dist/ from scratch there, so stale files of earlier builds cannot slip in), no test code
# in the tarball, a global install of the tarball into a temporary prefix (dependencies from npm's
# cache, which `npm ci` filled, and the registry only for what it lacks; better-sqlite3 builds
# against the local node headers, its prebuilt binaries being on GitHub), then the installed
# `bosun server --help` and a `bosun server --disable-agent` on 127.0.0.1 answering /readyz.
# Run by test/package/package-install.test.ts (minutes, most of them compiling better-sqlite3).
# Usage: bash scripts/check-package.sh
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
# A TERM (the test's timeout, sent to the whole process group) still cleans up.
trap 'exit 143' TERM INT

tar --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./.test-images -cf - . | tar -xf - -C "$work" --one-top-level=src-copy
ln -s "$PWD/node_modules" "$work/src-copy/node_modules"
(cd "$work/src-copy" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/bosun-*.tgz)
echo "packed $(tar -tzf "$tarball" | wc -l) files, $(du -k "$tarball" | cut -f1) KiB"
if tar -tzf "$tarball" | grep -E '\.test\.|/testing/|contract|fixtures|/fake|fuzz|\.map$|\.ts$'; then
  echo "FAIL: test code or sources in the tarball" >&2
  exit 1
fi

node_lts_npm install -g --prefix "$work/prefix" --prefer-offline --no-audit --no-fund --loglevel=error "$tarball"
bosun="$work/prefix/bin/bosun"
"$bosun" server --help | grep -q -- '--node-monitor-grace-period <duration>'
"$bosun" server --data-dir "$work/data" --port 0 --bind-address 127.0.0.1 --disable-agent >"$work/server.log" 2>&1 &
server_pid=$!
# Up to a minute for /readyz (the kubeconfig is written at start; a busy CI machine starts slowly).
ready=
for _ in $(seq 1 120); do
  if [ -f "$work/data/kubeconfig.yaml" ] && kubectl --kubeconfig "$work/data/kubeconfig.yaml" --cache-dir "$work/kube-cache" \
    --request-timeout=5s get --raw /readyz 2>/dev/null | grep -qx ok; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "FAIL: the installed bosun server did not answer /readyz ok; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "ok: the installed package runs bosun server (/readyz ok)"
