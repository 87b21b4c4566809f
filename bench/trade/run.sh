#!/usr/bin/env bash
# Trade benchmark (issue 6): imports a generated UN Comtrade legacy CSV of
# $ROWS rows (default 10 million) with `sriim import trade` into SQLite,
# beside the sqlite3 command line's `.import` of the same file into a plain
# table, reporting rows/s and peak memory; then the median latency of the
# importers query over the imported data, through the API, one request at a
# time.
#
#   ROWS=1000000 bench/trade/run.sh
#
# Installs sqlite3, wrk and time from Debian's packages when missing. Not
# yet measured here: PostgreSQL (COPY) and DuckDB; see README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-10000000}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
server=
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/sriim" ./cmd/sriim
go run ./bench/trade/gen --rows "$rows" >"$work/comtrade.csv"
lines=$(($(wc -l <"$work/comtrade.csv") - 1))
size=$(du -m "$work/comtrade.csv" | cut -f1)

# measure CMD...: prints "seconds peak_MiB" of the command.
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
	awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/time"
}

dsn="sqlite:$work/sriim.db"
"$work/sriim" migrate --db "$dsn" --log-level error >/dev/null
read -r peer_s peer_mb < <(measure sqlite3 "$work/plain.db" ".import --csv $work/comtrade.csv comtrade")
read -r sriim_s sriim_mb < <(measure "$work/sriim" import trade --db "$dsn" --log-level error --format comtrade-legacy --source "benchmark" "$work/comtrade.csv")

port=18380
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
"$work/sriim" serve --addr "127.0.0.1:$port" --db "$dsn" --log-level error &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
query="/api/v1/markets/importers?hs=030799&flow=import&from=2000&to=2004&top=20"
curl -fs "http://127.0.0.1:$port$query" >/dev/null
median=$(wrk -t1 -c1 -d10s --latency "http://127.0.0.1:$port$query" | awk '$1 == "50%" { print $2 }')

echo "| rows | file | sqlite3 .import | SRIIM import (SQLite) | SRIIM / sqlite3 | SRIIM peak memory | importers query median (SQLite, API) |"
echo "|---|---|---|---|---|---|---|"
awk -v n="$lines" -v mb="$size" -v ps="$peer_s" -v ss="$sriim_s" -v smb="$sriim_mb" -v med="$median" 'BEGIN {
	printf "| %d | %d MB | %.0f rows/s (%.1f s) | %.0f rows/s (%.1f s) | %.2f | %d MiB | %s |\n", n, mb, n / ps, ps, n / ss, ss, ps / ss, smb, med }'
