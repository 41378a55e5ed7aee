#!/usr/bin/env bash
# Usage: remove-portmap-nat-tables.sh "$(nft list tables)"   (the tables listed before the run)
# The CNI portmap plugin (hostPort pods) creates iptables-nft's `ip nat` and `ip6 nat` tables. The
# agent removes its own CNI-HOSTPORT chains but never those tables (another node on the host may be
# adding rules to them), so a test or bench run removes them when it created them and they hold
# only empty base chains.
set -euo pipefail
tables_before=$1
for family in ip ip6; do
  if ! grep -qx "table $family nat" <<<"$tables_before" && nft list table "$family" nat >/dev/null 2>&1; then
    if ! nft list table "$family" nat | grep -vqE '^[[:space:]]*((table|chain) .*\{|type .*;|\})?[[:space:]]*$'; then
      nft delete table "$family" nat
    fi
  fi
done
