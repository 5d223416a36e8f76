#!/usr/bin/env bash
# Runs govulncheck over the module and says which of three things happened:
#   exit 0  no reachable vulnerability
#   exit 3  reachable vulnerabilities found (govulncheck's report above)
#   exit 4  the vulnerability database could not be reached: NOTHING WAS CHECKED
#   exit 1  govulncheck could not be installed or failed otherwise
# GOVULNCHECK_VERSION pins the scanner; GOVULNDB points it at another
# database (a mirror, or file:///path of a local copy) when the default one
# cannot be reached.
set -uo pipefail
cd "$(dirname "$0")/.."

version=${GOVULNCHECK_VERSION:-v1.9.0}
db=${GOVULNDB:-https://vuln.go.dev}
tools=bin/tools/govulncheck-$version
go=${GO:-go}
# check the standard library of the toolchain go.mod names, not the machine's own
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

if [ ! -x "$tools/govulncheck" ]; then
	if ! GOBIN="$PWD/$tools" "$go" install "golang.org/x/vuln/cmd/govulncheck@$version"; then
		echo "vuln: could not install govulncheck $version through the Go module proxy" >&2
		exit 1
	fi
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# govulncheck runs the go command itself: under GOTOOLCHAIN=auto that is the
# toolchain go.mod names, so the standard library checked is the one we ship.
"$tools/govulncheck" -db "$db" ./... 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
case $rc in
0)
	echo "vuln: no reachable vulnerabilities ($("$go" env GOVERSION), database $db)"
	exit 0
	;;
3)
	echo "vuln: govulncheck found reachable vulnerabilities (report above)" >&2
	exit 3
	;;
esac
if grep -qE 'fetching vulnerabilities|vulnerability database|no such host|connection refused|i/o timeout|dial tcp' "$out"; then
	echo "vuln: the vulnerability database $db cannot be reached, so NOTHING WAS CHECKED." >&2
	echo "vuln: set GOVULNDB to a reachable mirror or to file:///path of a local copy, and run make vuln again." >&2
	exit 4
fi
echo "vuln: govulncheck failed (exit $rc; output above)" >&2
exit 1
