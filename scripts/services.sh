#!/usr/bin/env bash
# services.sh — real PostgreSQL (+pgvector) and Redis servers for exdesk's
# tests and local runs, on loopback ports, with their data in a project-local
# directory.
#
#   scripts/services.sh start    install what is missing, then start both (idempotent)
#   scripts/services.sh stop     stop both
#   scripts/services.sh status   say what is running; exit 1 if something is not
#   scripts/services.sh env      print DATABASE_URL=... and REDIS_URL=... lines, e.g.
#                                export $(scripts/services.sh env)
#
# Installs from Debian packages (postgresql, postgresql-server-dev-N,
# redis-server, build tools) only when a binary is missing, and builds pgvector
# from Debian trixie's `pgvector` source package (bookworm has none) against
# the installed server's headers. Quiet on success; errors go to stderr.
#
# Settings (environment):
#   EXDESK_SERVICES_DIR  where data, logs and sockets live (default: <repo>/.services,
#                        or a directory under /tmp when the postgres user cannot reach it)
#   EXDESK_PG_PORT       PostgreSQL port (default 55432; when that port is held by a
#                        program that is not a compatible PostgreSQL, the next free one)
#   EXDESK_REDIS_PORT    Redis port (default 56379; likewise)
#
# A compatible server already on the port (another checkout's, or one started
# by hand) is reused rather than fought over; `start` says what it started or
# reused and how to stop it. The ports chosen are kept in <services dir>/ports,
# so `env` prints them.
#   EXDESK_PG_DB         database created for exdesk (default exdesk)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_PORT=${EXDESK_PG_PORT:-55432}
REDIS_PORT=${EXDESK_REDIS_PORT:-56379}
PG_PORT_FIXED=${EXDESK_PG_PORT:+1}
REDIS_PORT_FIXED=${EXDESK_REDIS_PORT:+1}
PG_DB=${EXDESK_PG_DB:-exdesk}
PG_USER=postgres
QUIET_LOG=$(mktemp "${TMPDIR:-/tmp}/exdesk-services.XXXXXX.log")
trap 'rm -f "$QUIET_LOG"' EXIT

die() { echo "services.sh: $*" >&2; exit 1; }

# run CMD... quietly; on failure print its output and die.
run() {
	if ! "$@" >"$QUIET_LOG" 2>&1; then
		cat "$QUIET_LOG" >&2
		die "failed: $*"
	fi
}

as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_bindir() {
	local d
	if [ -n "${EXDESK_PG_BINDIR:-}" ]; then echo "$EXDESK_PG_BINDIR"; return; fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
	done
	return 1
}

services_dir() {
	if [ -n "${EXDESK_SERVICES_DIR:-}" ]; then echo "$EXDESK_SERVICES_DIR"; return; fi
	local d="$ROOT/.services"
	# Postgres runs as the postgres user, who must be able to reach its data dir.
	if [ "$(id -u)" -ne 0 ] || ! id "$PG_USER" >/dev/null 2>&1 || runuser -u "$PG_USER" -- test -x "$ROOT"; then
		echo "$d"
	else
		echo "${TMPDIR:-/tmp}/exdesk-services-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
	fi
}

# init_paths picks the services directory; start calls it again after
# installing, when the postgres user exists and its access can be checked.
init_paths() {
	SVC=$(services_dir)
	PGDATA="$SVC/pg/data"
	PGLOG="$SVC/pg/postgres.log"
	REDIS_DIR="$SVC/redis"
	REDIS_PID="$REDIS_DIR/redis.pid"
	PORTS_FILE="$SVC/ports"
	# Ports chosen by an earlier start, unless the environment sets them.
	if [ -f "$PORTS_FILE" ]; then
		local pg rd
		read -r pg rd <"$PORTS_FILE" || true
		[ -z "$PG_PORT_FIXED" ] && [ -n "${pg:-}" ] && PG_PORT=$pg
		[ -z "$REDIS_PORT_FIXED" ] && [ -n "${rd:-}" ] && REDIS_PORT=$rd
	fi
}
init_paths

# port_in_use reports whether something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints the first free port from $1 upward.
free_port() {
	local p=$1 i
	for i in $(seq 0 200); do
		if ! port_in_use $((p + i)); then echo $((p + i)); return 0; fi
	done
	return 1
}

database_url() { echo "postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB?sslmode=disable"; }
redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }

# --- installation -----------------------------------------------------------

APT_UPDATED=0
apt_update() {
	if [ "$APT_UPDATED" -eq 0 ]; then
		run apt-get update -q
		APT_UPDATED=1
	fi
}

apt_install() {
	[ "$(id -u)" -eq 0 ] || die "need root to install: $* (or install them yourself)"
	apt_update
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# debian_mirror prints the URI of the Debian archive configured for the main
# suite (not security), from deb822 .sources files or one-line .list files.
debian_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '
			BEGIN { RS=""; FS="\n" }
			{
				u=""; s=""; t=""
				for (i=1;i<=NF;i++) {
					if ($i ~ /^URIs:/)   { u=$i; sub(/^URIs:[ \t]*/, "", u); split(u, a, /[ \t]+/); u=a[1] }
					if ($i ~ /^Suites:/) { s=$i }
					if ($i ~ /^Types:/)  { t=$i }
				}
				if (t ~ /deb/ && s ~ /(bookworm|trixie|stable)([ \t]|$)/ && u !~ /security/ && u != "") { print u; exit }
			}' "$f")
		if [ -n "$uri" ]; then echo "$uri"; return; fi
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk '$1=="deb" && $0 !~ /security/ && $0 ~ /debian/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f")
		if [ -n "$uri" ]; then echo "$uri"; return; fi
	done
	return 1
}

install_packages() {
	local need=()
	if ! pg_bindir >/dev/null; then need+=(postgresql); fi
	command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
	command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
	if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
	pg_bindir >/dev/null || die "no PostgreSQL server found under /usr/lib/postgresql after installing"
}

install_pgvector() {
	local bindir ver pgconfig sharedir
	bindir=$(pg_bindir)
	ver=$(basename "$(dirname "$bindir")")
	pgconfig="/usr/lib/postgresql/$ver/bin/pg_config"
	if [ -x "$pgconfig" ]; then
		sharedir=$("$pgconfig" --sharedir)
	else
		sharedir="/usr/share/postgresql/$ver"
	fi
	[ -f "$sharedir/extension/vector.control" ] && return 0

	local need=()
	# Server headers (postgres.h) come with postgresql-server-dev-N; pgxs.mk alone is in the client package.
	if ! [ -x "$pgconfig" ] || ! [ -f "$("$pgconfig" --includedir-server 2>/dev/null)/postgres.h" ]; then
		need+=("postgresql-server-dev-$ver")
	fi
	command -v make >/dev/null 2>&1 || need+=(make)
	command -v gcc >/dev/null 2>&1 || need+=(gcc)
	command -v dpkg-source >/dev/null 2>&1 || need+=(dpkg-dev)
	if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi

	# Debian's pgvector source package lives in trixie; reuse the configured mirror.
	local srcfile=/etc/apt/sources.list.d/exdesk-trixie-src.sources
	if [ ! -f "$srcfile" ]; then
		local mirror
		mirror=$(debian_mirror) || die "cannot find the Debian mirror in /etc/apt/sources.list*"
		cat >"$srcfile" <<EOF
# Added by exdesk scripts/services.sh: source packages only (pgvector is built from source).
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
		APT_UPDATED=0
	fi
	apt_update

	local build
	build=$(mktemp -d "${TMPDIR:-/tmp}/exdesk-pgvector.XXXXXX")
	(
		cd "$build"
		chmod 755 "$build"
		run apt-get source -q --only-source pgvector/trixie
		local src
		src=$(find . -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -n1)
		[ -n "$src" ] || die "apt-get source pgvector unpacked nothing"
		cd "$src"
		run make PG_CONFIG="$pgconfig" OPTFLAGS=""
		run make PG_CONFIG="$pgconfig" install
	)
	rm -rf "$build"
	[ -f "$sharedir/extension/vector.control" ] || die "pgvector build finished but $sharedir/extension/vector.control is missing"
}

# --- postgres ----------------------------------------------------------------

pg_running() {
	local bindir
	bindir=$(pg_bindir) || return 1
	[ -f "$PGDATA/PG_VERSION" ] && as_postgres "$bindir/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

psql_q() {
	local bindir
	bindir=$(pg_bindir)
	local psql="$bindir/psql"
	[ -x "$psql" ] || psql=psql
	"$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"
}

# pg_compatible reports whether the server on PG_PORT is a PostgreSQL that
# exdesk can use: it answers as the postgres user and has pgvector.
pg_compatible() {
	psql_q -d postgres -tAc "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'" 2>/dev/null | grep -q 1
}

# pg_port_ready settles PG_PORT before starting: 0 when our own server or a
# compatible one already runs there (PG_REUSED=1 for the latter).
pg_port_ready() {
	PG_REUSED=0
	PG_WAS_RUNNING=0
	if pg_running; then
		PG_WAS_RUNNING=1
		return 0
	fi
	port_in_use "$PG_PORT" || return 0
	if pg_compatible; then
		PG_REUSED=1
		return 0
	fi
	[ -n "$PG_PORT_FIXED" ] && die "port $PG_PORT (EXDESK_PG_PORT) is held by a program that is not a PostgreSQL with pgvector; set EXDESK_PG_PORT to a free port"
	PG_PORT=$(free_port $((PG_PORT + 1))) || die "no free port for PostgreSQL above $PG_PORT; set EXDESK_PG_PORT"
}

start_postgres() {
	local bindir
	bindir=$(pg_bindir)
	pg_port_ready
	if [ "$PG_REUSED" = 1 ]; then
		if ! psql_q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
			run psql_q -d postgres -c "CREATE DATABASE \"$PG_DB\""
		fi
		run psql_q -d "$PG_DB" -c "CREATE EXTENSION IF NOT EXISTS vector"
		return 0
	fi
	mkdir -p "$SVC/pg"
	[ -f "$SVC/.gitignore" ] || echo '*' >"$SVC/.gitignore"
	if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER": "$SVC/pg"; chmod 755 "$SVC"; fi
	if [ ! -f "$PGDATA/PG_VERSION" ]; then
		rm -rf "$PGDATA"
		run as_postgres "$bindir/initdb" -D "$PGDATA" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync
	fi
	if ! pg_running; then
		run as_postgres "$bindir/pg_ctl" start -w -t 60 -D "$PGDATA" -l "$PGLOG" \
			-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	fi
	# The database and the extension (in template1 too, so fresh test databases have it).
	if ! psql_q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
		run psql_q -d postgres -c "CREATE DATABASE \"$PG_DB\""
	fi
	run psql_q -d template1 -c "CREATE EXTENSION IF NOT EXISTS vector"
	run psql_q -d "$PG_DB" -c "CREATE EXTENSION IF NOT EXISTS vector"
}

stop_postgres() {
	local bindir
	bindir=$(pg_bindir) || return 0
	if pg_running; then
		run as_postgres "$bindir/pg_ctl" stop -w -t 60 -m fast -D "$PGDATA"
	fi
}

# --- redis -------------------------------------------------------------------

redis_running() {
	command -v redis-cli >/dev/null 2>&1 || return 1
	[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

# redis_ours reports whether the Redis on REDIS_PORT is the one this
# checkout started.
redis_ours() {
	[ -f "$REDIS_PID" ] && kill -0 "$(cat "$REDIS_PID" 2>/dev/null)" 2>/dev/null
}

start_redis() {
	REDIS_REUSED=0
	REDIS_WAS_RUNNING=0
	if redis_running; then
		REDIS_WAS_RUNNING=1
		redis_ours || REDIS_REUSED=1
		return 0
	fi
	if port_in_use "$REDIS_PORT"; then
		[ -n "$REDIS_PORT_FIXED" ] && die "port $REDIS_PORT (EXDESK_REDIS_PORT) is held by a program that is not Redis; set EXDESK_REDIS_PORT to a free port"
		REDIS_PORT=$(free_port $((REDIS_PORT + 1))) || die "no free port for Redis above $REDIS_PORT; set EXDESK_REDIS_PORT"
	fi
	mkdir -p "$REDIS_DIR"
	[ -f "$SVC/.gitignore" ] || echo '*' >"$SVC/.gitignore"
	run redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
		--dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_DIR/redis.log" \
		--save "" --appendonly no
	local i
	for i in $(seq 1 100); do
		redis_running && return 0
		sleep 0.1
	done
	cat "$REDIS_DIR/redis.log" >&2 2>/dev/null || true
	die "redis did not answer on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
	redis_ours || return 0 # not ours: another checkout's, or one started by hand
	if redis_running; then
		run redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave || true
	fi
	local i
	for i in $(seq 1 50); do
		redis_running || return 0
		sleep 0.1
	done
	die "redis on 127.0.0.1:$REDIS_PORT did not stop"
}

# --- commands ------------------------------------------------------------------

cmd=${1:-}
case "$cmd" in
start)
	install_packages
	install_pgvector
	init_paths
	start_postgres
	start_redis
	mkdir -p "$SVC"
	[ -f "$SVC/.gitignore" ] || echo '*' >"$SVC/.gitignore"
	echo "$PG_PORT $REDIS_PORT" >"$PORTS_FILE"
	pg_how="started, data in $PGDATA"
	[ "$PG_WAS_RUNNING" = 1 ] && pg_how="already running, data in $PGDATA"
	[ "$PG_REUSED" = 1 ] && pg_how="another PostgreSQL with pgvector, reused"
	redis_how="started"
	[ "$REDIS_WAS_RUNNING" = 1 ] && redis_how="already running"
	[ "$REDIS_REUSED" = 1 ] && redis_how="another Redis, reused"
	echo "services: PostgreSQL on 127.0.0.1:$PG_PORT ($pg_how), Redis on 127.0.0.1:$REDIS_PORT ($redis_how); stop with scripts/services.sh stop" >&2
	;;
stop)
	stop_redis
	stop_postgres
	;;
status)
	rc=0
	if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT ($PGDATA)"; else echo "postgres: stopped"; rc=1; fi
	if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"; else echo "redis: stopped"; rc=1; fi
	exit $rc
	;;
env)
	echo "DATABASE_URL=$(database_url)"
	echo "REDIS_URL=$(redis_url)"
	;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac
