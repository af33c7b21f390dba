#!/usr/bin/env bash
# Throwaway PostgreSQL + MariaDB servers for joinery's tests.
#
#   eval "$(scripts/dbs.sh start)"   # install if needed, start, print exports
#   scripts/dbs.sh env               # print the export lines again
#   scripts/dbs.sh status            # exit 0 if both servers are running
#   scripts/dbs.sh install [PKG...]  # only install the servers (and PKGs) if missing
#   scripts/dbs.sh stop              # stop both and delete all their data
#
# Only the `export ...` lines go to stdout; everything else goes to stderr.
#
# Environment knobs (defaults in brackets):
#   JOINERY_DBS_DIR    state dir holding data, sockets, logs [/tmp/joinery-dbs]
#                      (must be traversable by the postgres user when run as root)
#   JOINERY_PG_PORT    PostgreSQL TCP port on 127.0.0.1     [55432]
#   JOINERY_MYSQL_PORT MariaDB TCP port on 127.0.0.1        [33306]
#   JOINERY_DBS_NO_INSTALL=1  never run apt-get, fail instead
set -euo pipefail

STATE_DIR="${JOINERY_DBS_DIR:-/tmp/joinery-dbs}"
PG_PORT="${JOINERY_PG_PORT:-55432}"
MY_PORT="${JOINERY_MYSQL_PORT:-33306}"
DB_NAME=joinery
MY_USER=joinery
MY_PASS=joinery
WAIT_SECS=90

PG_DATA="$STATE_DIR/pg/data"
PG_SOCK="$STATE_DIR/pg/sock"
PG_LOG="$STATE_DIR/pg/server.log"
MY_DATA="$STATE_DIR/mysql/data"
MY_SOCK="$STATE_DIR/mysql/mysqld.sock"
MY_PID="$STATE_DIR/mysql/mysqld.pid"
MY_LOG="$STATE_DIR/mysql/server.log"
MY_TMP="$STATE_DIR/mysql/tmp"

log() { printf 'dbs.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pg_dsn() { printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable' "$PG_PORT" "$DB_NAME"; }
my_dsn() { printf '%s:%s@tcp(127.0.0.1:%s)/%s?parseTime=true&multiStatements=true' "$MY_USER" "$MY_PASS" "$MY_PORT" "$DB_NAME"; }

print_env() {
	# Single quotes matter: the MySQL DSN contains '&' and parentheses.
	printf "export JOINERY_PG_DSN='%s'\n" "$(pg_dsn)"
	printf "export JOINERY_MYSQL_DSN='%s'\n" "$(my_dsn)"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------- discovery

# PostgreSQL server binaries: PATH first, then the newest /usr/lib/postgresql/*/bin.
PG_BIN=""
find_pg() {
	PG_BIN=""
	local p
	if p="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
		PG_BIN="$(dirname "$(readlink -f "$p")")"
		[ -x "$PG_BIN/pg_ctl" ] || PG_BIN="$(dirname "$p")"
		return 0
	fi
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			PG_BIN="$d"
			return 0
		fi
	done
	return 1
}

pg_tool() { # pg_tool NAME -> path of a client tool (psql, pg_isready)
	if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/$1" ]; then
		printf '%s' "$PG_BIN/$1"
	else
		command -v "$1"
	fi
}

first_cmd() { # first_cmd NAME... -> first one found on PATH, /usr/sbin or /usr/bin
	local n d
	for n in "$@"; do
		if command -v "$n" >/dev/null 2>&1; then command -v "$n"; return 0; fi
		for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin /usr/libexec; do
			if [ -x "$d/$n" ]; then printf '%s\n' "$d/$n"; return 0; fi
		done
	done
	return 1
}

MY_SERVER="" MY_INSTALL="" MY_ADMIN="" MY_CLIENT=""
find_mysql() {
	MY_SERVER="$(first_cmd mariadbd mysqld)" || return 1
	MY_INSTALL="$(first_cmd mariadb-install-db mysql_install_db)" || return 1
	MY_ADMIN="$(first_cmd mariadb-admin mysqladmin)" || return 1
	MY_CLIENT="$(first_cmd mariadb mysql)" || return 1
}

# ---------------------------------------------------------------- install

# ensure_installed [EXTRA_PKG...]: apt-get install whatever is missing (one
# apt-get update, only if something must be installed). Extra package names
# are installed too (callers pass only ones they found missing).
ensure_installed() {
	local pkgs=("$@")
	find_pg || pkgs+=(postgresql)
	find_mysql || pkgs+=(mariadb-server mariadb-client)
	[ "${#pkgs[@]}" -eq 0 ] && return 0

	[ "${JOINERY_DBS_NO_INSTALL:-}" = 1 ] && die "missing packages: ${pkgs[*]} (JOINERY_DBS_NO_INSTALL=1)"
	local sudo=()
	if ! is_root; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			die "missing packages: ${pkgs[*]}; install them (apt-get install ${pkgs[*]}) or run as root"
		fi
	fi
	log "installing: ${pkgs[*]} (apt-get; this can take a minute or two)"
	# Keep the packages' postinst from starting system-wide servers on 5432/3306.
	local made_policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
		"${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	local rc=0
	{
		"${sudo[@]}" apt-get update -q &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--no-install-recommends "${pkgs[@]}"
	} >&2 || rc=$?
	[ -n "$made_policy" ] && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
	[ "$rc" -eq 0 ] || die "apt-get failed (exit $rc)"
	find_pg || die "PostgreSQL still not found after install"
	find_mysql || die "MariaDB still not found after install"
}

# ---------------------------------------------------------------- postgres

# Run a command as the postgres OS user when we are root (PostgreSQL refuses root).
as_pg() {
	if is_root; then
		if command -v runuser >/dev/null 2>&1; then
			runuser -u postgres -- "$@"
		else
			su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
		fi
	else
		"$@"
	fi
}

pg_running() {
	[ -f "$PG_DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

start_pg() {
	mkdir -p "$STATE_DIR/pg"
	if is_root; then
		getent passwd postgres >/dev/null || die "no 'postgres' OS user (is the postgresql package installed?)"
		chown postgres: "$STATE_DIR/pg"
	fi
	if pg_running; then
		log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
	else
		if [ ! -f "$PG_DATA/PG_VERSION" ]; then
			log "initdb $PG_DATA"
			rm -rf "$PG_DATA"
			as_pg mkdir -p "$PG_DATA" "$PG_SOCK"
			as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale \
				--no-sync >"$STATE_DIR/pg/initdb.log" 2>&1 ||
				{ cat "$STATE_DIR/pg/initdb.log" >&2; die "initdb failed"; }
		fi
		as_pg mkdir -p "$PG_SOCK"
		log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
		if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_SECS" -s \
			-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
			start >&2; then
			log "PostgreSQL failed to start; log follows:"
			cat "$PG_LOG" >&2 2>/dev/null || true
			die "PostgreSQL did not start"
		fi
	fi
	local psql isready i
	psql="$(pg_tool psql)" || die "psql not found"
	isready="$(pg_tool pg_isready || true)"
	for ((i = 0; i < WAIT_SECS; i++)); do
		if [ -n "$isready" ]; then
			"$isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres && break
		else
			"$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 && break
		fi
		sleep 1
	done
	[ "$i" -lt "$WAIT_SECS" ] || { cat "$PG_LOG" >&2 || true; die "PostgreSQL not ready after ${WAIT_SECS}s"; }
	if [ "$("$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc \
		"select count(*) from pg_database where datname = '$DB_NAME'")" != 1 ]; then
		"$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB_NAME" >&2 ||
			die "could not create PostgreSQL database $DB_NAME"
	fi
}

stop_pg() {
	find_pg || return 0
	if pg_running; then
		log "stopping PostgreSQL"
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop >&2 || log "pg_ctl stop failed"
	fi
}

# ---------------------------------------------------------------- mariadb

my_pid() { [ -s "$MY_PID" ] && cat "$MY_PID" 2>/dev/null; }
my_alive() { local p; p="$(my_pid)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
my_ping() { "$MY_ADMIN" --no-defaults --protocol=socket -S "$MY_SOCK" -uroot ping >/dev/null 2>&1; }
my_sql() { "$MY_CLIENT" --no-defaults --protocol=socket -S "$MY_SOCK" -uroot "$@"; }

start_mysql() {
	mkdir -p "$STATE_DIR/mysql" "$MY_TMP"
	local userargs=()
	is_root && userargs=(--user=root)
	if my_alive && my_ping; then
		log "MariaDB already running on 127.0.0.1:$MY_PORT"
	else
		if [ ! -d "$MY_DATA/mysql" ]; then
			log "mariadb-install-db $MY_DATA"
			rm -rf "$MY_DATA"
			mkdir -p "$MY_DATA"
			"$MY_INSTALL" --no-defaults --datadir="$MY_DATA" "${userargs[@]}" \
				--auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
				>"$STATE_DIR/mysql/install-db.log" 2>&1 ||
				{ cat "$STATE_DIR/mysql/install-db.log" >&2; die "mariadb-install-db failed"; }
		fi
		rm -f "$MY_PID" "$MY_SOCK"
		log "starting MariaDB on 127.0.0.1:$MY_PORT"
		# setsid + nohup: survive the calling shell (interactive use); the
		# server writes its pid to $MY_PID, which `stop` uses.
		setsid nohup "$MY_SERVER" --no-defaults \
			--datadir="$MY_DATA" --socket="$MY_SOCK" --pid-file="$MY_PID" --tmpdir="$MY_TMP" \
			--port="$MY_PORT" --bind-address=127.0.0.1 "${userargs[@]}" \
			--skip-name-resolve --skip-log-bin --log-error="$MY_LOG" \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
			--max-connections=500 --innodb-buffer-pool-size=128M \
			--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-use-native-aio=0 \
			</dev/null >>"$STATE_DIR/mysql/stdout.log" 2>&1 &
		local bgpid=$! i
		for ((i = 0; i < WAIT_SECS * 2; i++)); do
			my_ping && break
			if ! kill -0 "$bgpid" 2>/dev/null; then
				i=-1
				break
			fi
			sleep 0.5
		done
		if [ "$i" -lt 0 ] || [ "$i" -ge $((WAIT_SECS * 2)) ]; then
			log "MariaDB failed to start; logs follow:"
			cat "$MY_LOG" "$STATE_DIR/mysql/stdout.log" >&2 2>/dev/null || true
			kill "$bgpid" 2>/dev/null || true
			die "MariaDB did not start"
		fi
	fi
	my_sql >&2 <<SQL || die "could not set up MariaDB database/user"
DELETE FROM mysql.global_priv WHERE User = '';
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '127.0.0.1', '::1', '%');
FLUSH PRIVILEGES;
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$MY_USER'@'127.0.0.1' IDENTIFIED BY '$MY_PASS';
CREATE USER IF NOT EXISTS '$MY_USER'@'localhost' IDENTIFIED BY '$MY_PASS';
CREATE USER IF NOT EXISTS '$MY_USER'@'%' IDENTIFIED BY '$MY_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$MY_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$MY_USER'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$MY_USER'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
	"$MY_CLIENT" --no-defaults -h127.0.0.1 -P"$MY_PORT" -u"$MY_USER" -p"$MY_PASS" "$DB_NAME" \
		-e 'select 1' >/dev/null || die "MariaDB: cannot log in over TCP as $MY_USER"
}

stop_mysql() {
	local p
	p="$(my_pid)" || return 0
	[ -n "$p" ] || return 0
	kill -0 "$p" 2>/dev/null || return 0
	log "stopping MariaDB (pid $p)"
	if find_mysql; then
		"$MY_ADMIN" --no-defaults --protocol=socket -S "$MY_SOCK" -uroot shutdown >/dev/null 2>&1 ||
			kill -TERM "$p" 2>/dev/null || true
	else
		kill -TERM "$p" 2>/dev/null || true
	fi
	local i
	for ((i = 0; i < 60; i++)); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.5
	done
	log "MariaDB did not exit; killing it"
	kill -KILL "$p" 2>/dev/null || true
}

# ---------------------------------------------------------------- commands

cmd_start() {
	ensure_installed
	mkdir -p "$STATE_DIR"
	chmod 755 "$STATE_DIR" # the postgres user must be able to get in
	start_pg
	start_mysql
	log "ready (state in $STATE_DIR; stop with: scripts/dbs.sh stop)"
	print_env
}

cmd_stop() {
	if [ ! -d "$STATE_DIR" ]; then
		log "nothing to stop ($STATE_DIR does not exist)"
		return 0
	fi
	stop_pg || true
	stop_mysql || true
	rm -rf "$STATE_DIR"
	log "stopped; removed $STATE_DIR"
}

cmd_status() {
	local ok=0
	if find_pg && pg_running; then log "PostgreSQL: running on 127.0.0.1:$PG_PORT"; else log "PostgreSQL: not running"; ok=1; fi
	if find_mysql && my_alive && my_ping; then log "MariaDB: running on 127.0.0.1:$MY_PORT"; else log "MariaDB: not running"; ok=1; fi
	return "$ok"
}

case "${1:-}" in
start) cmd_start ;;
install) shift; ensure_installed "$@" ;;
stop) cmd_stop ;;
restart) cmd_stop; cmd_start ;;
status) cmd_status ;;
env) print_env ;;
*)
	echo "usage: $0 {start|stop|restart|status|env|install [PKG...]}" >&2
	exit 2
	;;
esac
