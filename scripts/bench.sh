#!/usr/bin/env bash
# Runs every benchmark under bench/ (each prints a table beside a baseline measured in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
# On the Node.js LTS setup.sh installed (/opt/bosun/node) when there is one, whatever PATH says.
. scripts/node-lts.sh
node_lts_use
echo "bench: node $(node --version) ($(command -v node))"
npm run --silent build
tables_before=$(nft list tables 2>/dev/null || true)
trap 'bash scripts/remove-portmap-nat-tables.sh "$tables_before"' EXIT
for b in $(find bench -name '*.bench.ts' | sort); do
  if [ -n "${BENCH:-}" ] && [[ "$b" != *"$BENCH"* ]]; then continue; fi
  echo "== $b"; node --import tsx "$b"
done
