#!/usr/bin/env bash
# The benchmark, one command: starts a throwaway PostgreSQL 15, generates the data set with a
# fixed seed, checks that every contender returns the same nested result (TestSameResult),
# runs the benchmarks N times with the contender order rotated between runs, writes the raw
# output, a Markdown report and the PostgreSQL plans to bench/results/<timestamp>/, and stops
# the server.
#
#   bench/run.sh              # the full run (about 10 minutes on 2 cores)
#   bench/run.sh -latency     # then once more end to end through a proxy adding
#                             # $BENCH_LATENCY_MS (default 1) ms per round trip
#   bench/run.sh -base REV    # also run the benchmarks of joinery at git revision REV, in
#                             # the same runs (alternating), and report after/before ratios
#
# Environment (defaults in brackets):
#   BENCH_COUNT          runs (processes) of every benchmark [5]
#   BENCH_ROUNDS         rounds of the contenders per workload and run, end to end [3]
#   BENCH_W1_TIME        -benchtime of a BenchmarkEndToEnd/W1 round [1x]
#   BENCH_E2E_TIME       -benchtime of a BenchmarkEndToEnd/W2-W5 round [0.2s]
#   BENCH_TIME           -benchtime of BenchmarkHydrate and BenchmarkCompile [0.5s]
#   BENCH_LATENCY_MS     delay per round trip in -latency mode [1]
#   BENCH_LATENCY_COUNT  runs through the proxy [3]
#   BENCH_PG_PORT        the server's port on 127.0.0.1 [55499]; the proxy listens on +1
#   BENCH_BENCH          -bench regexp, to run a subset [.] (the -latency pass too; a
#                        contender's repeats are named <contender>#01..: end a name with (#[0-9]+)?$)
#
# Run as root, the server runs as the postgres user (su); otherwise as the current user.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
BENCH_DIR="$PWD"
COUNT="${BENCH_COUNT:-5}"
W1_TIME="${BENCH_W1_TIME:-1x}"
E2E_TIME="${BENCH_E2E_TIME:-0.2s}"
TIME="${BENCH_TIME:-0.5s}"
export BENCH_ROUNDS="${BENCH_ROUNDS:-3}"
PORT="${BENCH_PG_PORT:-55499}"
PROXY_PORT=$((PORT + 1))
LATENCY_MS="${BENCH_LATENCY_MS:-1}"
LATENCY_COUNT="${BENCH_LATENCY_COUNT:-3}"
BENCH_RE="${BENCH_BENCH:-.}"
LATENCY=0
BASE=""

while [ $# -gt 0 ]; do
	arg="$1"
	shift
	case "$arg" in
	-latency | --latency) LATENCY=1 ;;
	-base | --base)
		BASE="${1:?-base needs a git revision}"
		shift
		;;
	-h | --help)
		sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "run.sh: unknown argument $arg (try -h)" >&2
		exit 2
		;;
	esac
done

log() { printf '\n=== %s (%ss)\n' "$*" "$SECONDS"; }

# ---------------------------------------------------------------- PostgreSQL binaries
PG_BIN=""
if p="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
	PG_BIN="$(dirname "$(readlink -f "$p")")"
else
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			PG_BIN="$d"
			break
		fi
	done
fi
if [ -z "$PG_BIN" ]; then
	echo "run.sh: initdb/pg_ctl not found (apt-get install postgresql-15, or put them on PATH)" >&2
	exit 1
fi
"$PG_BIN/initdb" --version

TMP="$(mktemp -d /tmp/joinery-bench.XXXXXX)"
chmod 755 "$TMP"
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		su postgres -s /bin/bash -c "$1"
	else
		bash -c "$1"
	fi
}
if [ "$(id -u)" -eq 0 ]; then
	chown postgres "$TMP"
fi

PROXY_PID=""
cleanup() {
	local rc=$?
	if [ -n "$PROXY_PID" ]; then
		kill "$PROXY_PID" 2>/dev/null || true
		wait "$PROXY_PID" 2>/dev/null || true
	fi
	if [ -n "$BASE" ]; then
		git -C "$BENCH_DIR/.." worktree remove --force "$TMP/base" >/dev/null 2>&1 || true
	fi
	if [ -f "$TMP/data/postmaster.pid" ]; then
		as_pg "'$PG_BIN/pg_ctl' -D '$TMP/data' -m immediate -w stop" >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- server
log "PostgreSQL on 127.0.0.1:$PORT (data in $TMP)"
as_pg "'$PG_BIN/initdb' -D '$TMP/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >'$TMP/initdb.log' 2>&1" ||
	{ cat "$TMP/initdb.log" >&2; exit 1; }
as_pg "'$PG_BIN/pg_ctl' -D '$TMP/data' -l '$TMP/server.log' -w -t 60 -o \"-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$TMP' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null ||
	{ cat "$TMP/server.log" >&2; exit 1; }
psql_cmd() { PGCONNECT_TIMEOUT=10 psql -h 127.0.0.1 -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
if command -v psql >/dev/null 2>&1; then
	psql_cmd -d postgres -c 'CREATE DATABASE bench'
elif [ -x "$PG_BIN/psql" ]; then
	PATH="$PG_BIN:$PATH" psql_cmd -d postgres -c 'CREATE DATABASE bench'
else
	echo "run.sh: psql not found" >&2
	exit 1
fi
export BENCH_PG_DSN="postgres://postgres@127.0.0.1:$PORT/bench?sslmode=disable"

# ---------------------------------------------------------------- build, data, check
OUT="$BENCH_DIR/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" "$BENCH_DIR/results/latest"

log "build"
go version | tee "$OUT/env.txt"
"$PG_BIN/postgres" --version | tee -a "$OUT/env.txt"
{ echo "cores: $(nproc)"; grep -m1 'model name' /proc/cpuinfo || true; } | tee -a "$OUT/env.txt"
# the joinery being measured is the working tree (replace => ../): record its commit and
# whether it had uncommitted changes
if git -C .. rev-parse HEAD >/dev/null 2>&1; then
	echo "joinery $(git -C .. rev-parse --short HEAD)$(git -C .. diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' + uncommitted changes')" |
		tee -a "$OUT/env.txt"
fi
go build -o "$TMP/gendata" ./cmd/gendata
go build -o "$TMP/explain" ./cmd/explain
go build -o "$TMP/report" ./cmd/report
go build -o "$TMP/seqcases" ./cmd/seqcases
go test -c -o "$TMP/bench.test" .
if [ -n "$BASE" ]; then
	git -C .. worktree add --detach "$TMP/base" "$BASE" >/dev/null
	echo "base: joinery $(git -C "$TMP/base" rev-parse --short HEAD)" | tee -a "$OUT/env.txt"
	(cd "$TMP/base/bench" && go test -c -o "$TMP/base.test" .)
fi

log "data"
"$TMP/gendata" | tee -a "$OUT/env.txt"

log "TestSameResult"
"$TMP/bench.test" -test.run '^(TestSameResult|TestAggregatesSameResult)$' -test.v -test.count 1 2>&1 | tee "$OUT/sameresult.txt"

log "plans"
"$TMP/explain" >"$OUT/explain.md"
# the projects page's statements (joinery's, the hand-written grouped derived table, GORM's)
"$TMP/bench.test" -test.run '^TestAggregatesExplain$' -test.v -test.count 1 >"$OUT/explain-aggregates.txt" 2>&1 ||
	{ cat "$OUT/explain-aggregates.txt" >&2; exit 1; }

# ---------------------------------------------------------------- benchmarks
# Each run is one process covering every benchmark; BENCH_RUN rotates the order of the
# workloads and contenders, so across runs every contender runs in every position, and
# end to end each workload goes round its contenders BENCH_ROUNDS times (the repeats are
# reported as <contender>#01 ...). (go test's own -count would repeat each benchmark back
# to back.)
run_one() { # run_one BINARY FILE REGEXP BENCHTIME
	local bin="$1" file="$2" re="$3" bt="$4"
	"$bin" -test.run '^$' -test.bench "$re" -test.benchmem -test.benchtime "$bt" -test.count 1 2>&1 |
		tee -a "$file" | grep -E '^(Benchmark|FAIL|panic|---)' || true
	if grep -qE '^(FAIL|panic:|--- FAIL)' "$file"; then
		echo "run.sh: benchmark failure, see $file" >&2
		exit 1
	fi
}
run_bench() { # run_bench FILE REGEXP BENCHTIME: the joinery measured and, with -base, the base,
	# in alternating order from run to run
	local file="$1" re="$2" bt="$3"
	if [ -z "$BASE" ]; then
		run_one "$TMP/bench.test" "$file" "$re" "$bt"
	elif [ $((${BENCH_RUN:-1} % 2)) -eq 1 ]; then
		run_one "$TMP/bench.test" "$file" "$re" "$bt"
		run_one "$TMP/base.test" "${file%.txt}-base.txt" "$re" "$bt"
	else
		run_one "$TMP/base.test" "${file%.txt}-base.txt" "$re" "$bt"
		run_one "$TMP/bench.test" "$file" "$re" "$bt"
	fi
}
echo "load average before the benchmarks: $(cat /proc/loadavg 2>/dev/null)" | tee -a "$OUT/env.txt"
for i in $(seq 1 "$COUNT"); do
	log "run $i of $COUNT"
	export BENCH_RUN="$i"
	if [ "$BENCH_RE" = "." ]; then
		run_bench "$OUT/bench.txt" '^BenchmarkEndToEnd$/^W1$/' "$W1_TIME"
		run_bench "$OUT/bench.txt" '^BenchmarkEndToEnd$/^W[2-9]$/' "$E2E_TIME"
		run_bench "$OUT/bench.txt" '^(BenchmarkHydrate|BenchmarkCompile)$' "$TIME"
		run_bench "$OUT/bench.txt" '^BenchmarkAggregates$' "$E2E_TIME"
	else
		run_bench "$OUT/bench.txt" "$BENCH_RE" "$TIME"
	fi
done
if [ "$BENCH_RE" = "." ]; then
	log "streaming"
	run_bench "$OUT/bench.txt" '^BenchmarkStream$' 1x
fi
echo "load average after the benchmarks: $(cat /proc/loadavg 2>/dev/null)" | tee -a "$OUT/env.txt"
"$TMP/report" -title "PostgreSQL on loopback" "$OUT/bench.txt" >"$OUT/report.md"
if [ -n "$BASE" ]; then
	{
		echo
		echo "## This joinery against $BASE, same runs (median ns/op and allocs/op; ratio after/before)"
		echo
		"$TMP/report" -base "$OUT/bench-base.txt" "$OUT/bench.txt"
	} | tee -a "$OUT/report.md"
fi

log "Sequelize stress cases"
# with node and bench/seqrecord installed (npm install there), Sequelize itself runs too,
# in blocks alternating with joinery's (seqcases -sequelize): ratios in the same window
seq_args=()
if command -v node >/dev/null 2>&1 && [ -d "$BENCH_DIR/seqrecord/node_modules" ]; then
	seq_args=(-sequelize "$BENCH_DIR/seqrecord")
else
	log "  (Sequelize not run in the same window: no node, or no npm install in bench/seqrecord)"
fi
{
	echo
	"$TMP/seqcases" -runs 200 "${seq_args[@]}"
} | tee "$OUT/seqcases.md" >>"$OUT/report.md"

if [ "$LATENCY" -eq 1 ]; then
	log "latency: +${LATENCY_MS} ms per round trip"
	go build -o "$TMP/latencyproxy" ./cmd/latencyproxy
	"$TMP/latencyproxy" -listen "127.0.0.1:$PROXY_PORT" -target "127.0.0.1:$PORT" -delay "${LATENCY_MS}ms" 2>"$OUT/latencyproxy.log" &
	PROXY_PID=$!
	sleep 0.5
	export BENCH_PG_DSN="postgres://postgres@127.0.0.1:$PROXY_PORT/bench?sslmode=disable"
	for i in $(seq 1 "$LATENCY_COUNT"); do
		log "latency run $i of $LATENCY_COUNT"
		export BENCH_RUN="$i"
		if [ "$BENCH_RE" = "." ]; then
			run_bench "$OUT/bench-latency.txt" '^BenchmarkEndToEnd$/^W1$/' "$W1_TIME"
			run_bench "$OUT/bench-latency.txt" '^BenchmarkEndToEnd$/^W[2-9]$/' "$E2E_TIME"
		else
			# (BENCH_BENCH: its end-to-end benchmarks only)
			run_bench "$OUT/bench-latency.txt" "$BENCH_RE" "$TIME"
		fi
	done
	{
		echo
		"$TMP/report" -e2e-only -title "PostgreSQL through the proxy: +${LATENCY_MS} ms per round trip" "$OUT/bench-latency.txt"
	} >>"$OUT/report.md"
fi

log "done: $OUT"
cat "$OUT/report.md"
