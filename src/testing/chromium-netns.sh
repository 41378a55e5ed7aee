#!/bin/sh
# Playwright's "Chromium" for the console tests (browser-netns.ts says why): a network namespace of
# its own, in which chromium-netns.mjs starts the real Chromium with the test's loopback relay as its
# proxy. Environment: BOSUN_CHROMIUM, BOSUN_NODE, BOSUN_BROWSER_RELAY. Needs root (unshare --net).
exec unshare --net -- "$BOSUN_NODE" "$(dirname "$0")/chromium-netns.mjs" "$@"
