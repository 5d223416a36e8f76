#!/usr/bin/env bash
# browser.sh — headless Chromium for the console's browser tests, from
# Debian's `chromium` package.
#
#   scripts/browser.sh install   install chromium when it is missing (needs root, as CI has)
#   scripts/browser.sh path      print the chromium binary's path; exit 1 if there is none
#
# The tests (cmd/exdesk TestConsoleInABrowser) find it on PATH or through
# EXDESK_CHROMIUM. Under CI=true a missing chromium fails them; elsewhere
# they skip.
set -euo pipefail

find_chromium() {
	local c
	for c in "${EXDESK_CHROMIUM:-}" chromium chromium-browser; do
		[ -n "$c" ] || continue
		if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
	done
	return 1
}

case "${1:-}" in
install)
	if find_chromium >/dev/null; then exit 0; fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "browser.sh: chromium is missing and installing it needs root: apt-get install -y chromium" >&2
		exit 1
	fi
	log=$(mktemp)
	if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "browser.sh: installing chromium failed" >&2
		exit 1
	fi
	rm -f "$log"
	find_chromium >/dev/null
	;;
path)
	find_chromium
	;;
*)
	echo "usage: scripts/browser.sh install|path" >&2
	exit 2
	;;
esac
