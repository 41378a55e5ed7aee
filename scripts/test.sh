#!/usr/bin/env bash
# Runs the whole test suite with node's test runner: type-check and build first (the e2e tests start
# the compiled `bosun` binary), then every *.test.ts under src/ and test/.
# Usage: npm test [-- FILE...]   (files narrow the run)
set -euo pipefail
cd "$(dirname "$0")/.."
# On the Node.js LTS setup.sh installed (/opt/bosun/node) when there is one, whatever PATH says.
. scripts/node-lts.sh
node_lts_use
echo "test: node $(node --version) ($(command -v node))"
npm run --silent build
npm run --silent lint
npx tsc -p tsconfig.test.json  # type-check tests and benchmarks too (tsconfig.json leaves them out of the build)
npx tsc -p console/tsconfig.json  # the web console's browser code (esbuild bundles it without type-checking)
# Test images are built once and reused (fast when present); runtime tests need them.
bash scripts/build-test-images.sh
# Longest first (the npm pack install, then the end-to-end files), short unit files last: the runner
# starts files in this order as its slots free up, so no long file starts near the end.
if [ "$#" -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find src test -name '*.test.ts' | awk '{ print (/package-install/ ? 0 : /^test\/e2e\// ? 1 : 2) " " $0 }' | sort | cut -d' ' -f2-)
fi
tables_before=$(nft list tables 2>/dev/null || true)
status=0
# Three files at once on two cores: most e2e tests wait on containers and watches, not the CPU.
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-3}" --test-timeout=300000 "${files[@]}" || status=$?
bash scripts/remove-portmap-nat-tables.sh "$tables_before"
exit "$status"
