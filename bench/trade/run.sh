#!/usr/bin/env bash
# Trade benchmark (issue 6): generates a UN Comtrade legacy CSV of $ROWS rows
# (default 10 million) and, in the same run:
#   - imports it with `sriim import trade` into SQLite, taking turns with
#     the sqlite3 command line's `.import` of the same file into a plain
#     table ($RUNS times, 3 by default; medians), and into a throw-away
#     PostgreSQL cluster (COPY), with rows/s and peak memory;
#   - measures the median latency of the importers query through SRIIM's API
#     on each backend (one request at a time, 10 s), beside DuckDB
#     (npm @duckdb/node-api) running the same query over the same rows.
#
#   ROWS=1000000 bench/trade/run.sh
#
# Installs sqlite3, wrk, time, PostgreSQL and npm from Debian's packages when
# missing. Figures are in README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-10000000}
bench=$PWD/bench/trade

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v wrk >/dev/null || missing+=(wrk)
command -v npm >/dev/null || missing+=(npm)
[ -x /usr/bin/time ] || missing+=(time)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
chmod 755 "$work"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_pg=()
if [ "$(id -u)" -eq 0 ]; then run_pg=(runuser -u postgres --); fi
server=
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	local port=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	echo "$port"
}

go build -o "$work/sriim" ./cmd/sriim
go run ./bench/trade/gen --rows "$rows" >"$work/comtrade.csv"
lines=$(($(wc -l <"$work/comtrade.csv") - 1))
size=$(du -m "$work/comtrade.csv" | cut -f1)
npm install --silent --no-save --prefix "$work/duckdb" @duckdb/node-api@1.5.6-r.1 >/dev/null
cp "$bench/duckdb.mjs" "$work/duckdb/"

# A throw-away PostgreSQL cluster with Debian's default settings.
mkdir "$work/pg"
[ ${#run_pg[@]} -eq 0 ] || chown postgres: "$work/pg"
pgport=$(free_port 55500)
"${run_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U sriim --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
postgres="postgres://sriim@127.0.0.1:$pgport/postgres?sslmode=disable"
sqlite="sqlite:$work/sriim.db"

# measure CMD...: prints "seconds peak_MiB" of the command.
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
	awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/time"
}
import() {
	"$work/sriim" migrate --db "$1" --log-level error >/dev/null
	measure "$work/sriim" import trade --db "$1" --log-level error --format comtrade-legacy --source benchmark "$work/comtrade.csv"
}
query="/api/v1/markets/importers?hs=030799&flow=import&from=2000&to=2004&top=20"
# median DSN: the importers query's median latency through the API, in ms.
median() {
	local port
	port=$(free_port 18380)
	"$work/sriim" serve --addr "127.0.0.1:$port" --db "$1" --log-level error &
	server=$!
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
	curl -fs "http://127.0.0.1:$port$query" >/dev/null
	wrk -t1 -c1 -d10s --latency "http://127.0.0.1:$port$query" |
		awk '$1 == "50%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000; printf "%.2f\n", v }'
	kill "$server"
	wait "$server" 2>/dev/null || true
	server=
}

# The peer and SRIIM on SQLite take turns, $RUNS times (3 by default), each
# on a new database after the disk has written the previous one's pages (so
# that neither pays for the other's write-back); medians are reported.
median_of() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
peer_runs=() lite_runs=() peer_mb=0 lite_mb=0
for _ in $(seq "${RUNS:-3}"); do
	rm -f "$work/plain.db" "$work"/sriim.db*
	sync
	read -r s mb < <(measure sqlite3 "$work/plain.db" ".import --csv $work/comtrade.csv comtrade")
	peer_runs+=("$s") peer_mb=$((mb > peer_mb ? mb : peer_mb))
	rm -f "$work/plain.db"
	sync
	read -r s mb < <(import "$sqlite")
	lite_runs+=("$s") lite_mb=$((mb > lite_mb ? mb : lite_mb))
done
peer_s=$(printf '%s\n' "${peer_runs[@]}" | median_of)
lite_s=$(printf '%s\n' "${lite_runs[@]}" | median_of)
sync
read -r pg_s pg_mb < <(import "$postgres")
lite_q=$(median "$sqlite")
pg_q=$(median "$postgres")
duck_q=$(cd "$work/duckdb" && node duckdb.mjs "$work/comtrade.csv" 10)

echo "Import of $lines rows ($size MB); SQLite: median of ${#lite_runs[@]} turns (peer: ${peer_runs[*]} s; SRIIM: ${lite_runs[*]} s):"
echo
echo "| importer | time | rows/s | × sqlite3 .import | peak memory |"
echo "|---|---|---|---|---|"
awk -v n="$lines" -v ps="$peer_s" -v pmb="$peer_mb" -v ls="$lite_s" -v lmb="$lite_mb" -v gs="$pg_s" -v gmb="$pg_mb" 'BEGIN {
	printf "| sqlite3 .import, plain table (peer) | %.1f s | %.0f | 1.00 | %d MiB |\n", ps, n / ps, pmb
	printf "| SRIIM, SQLite | %.1f s | %.0f | %.2f | %d MiB |\n", ls, n / ls, ps / ls, lmb
	printf "| SRIIM, PostgreSQL (COPY) | %.1f s | %.0f | %.2f | %d MiB (SRIIM only) |\n", gs, n / gs, ps / gs, gmb }'
echo
echo "Importers query, median:"
echo
echo "| | median | × DuckDB |"
echo "|---|---|---|"
awk -v l="$lite_q" -v g="$pg_q" -v d="$duck_q" 'BEGIN {
	printf "| DuckDB, same query over the raw rows (peer) | %.2f ms | 1.00 |\n", d
	printf "| SRIIM API, SQLite | %.2f ms | %.2f |\n", l, l / d
	printf "| SRIIM API, PostgreSQL | %.2f ms | %.2f |\n", g, g / d }'
