#!/usr/bin/env bash
# Trade benchmark (issues 6 and 13): generates UN Comtrade legacy CSV files
# and, in the same run:
#   - imports $ROWS rows (10 million by default) with `sriim import trade`
#     into SQLite, sorted (each series' rows together) and shuffled (every
#     row at a random place), taking turns with the sqlite3 command line's
#     `.import` of the same files into a plain table ($RUNS times, 3 by
#     default; medians), and into a throw-away PostgreSQL cluster, with
#     rows/s and peak memory;
#   - imports $SWEEP_ROWS rows (1 million by default) with 1, 2, 5, 10 and
#     25 partners per series, taking turns with the peer;
#   - measures how long a login takes while a server on SQLite imports the
#     sorted file from the web, beside logins with no import running;
#   - measures the median latency of the importers query through SRIIM's API
#     on each backend (one request at a time, 10 s), beside DuckDB
#     (npm @duckdb/node-api) running the same query over the same rows.
#
#   ROWS=1000000 SWEEP_ROWS=200000 RUNS=1 bench/trade/run.sh
#
# Installs sqlite3, wrk, curl, time, PostgreSQL and npm from Debian's
# packages when missing. Figures are in README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-10000000}
sweep_rows=${SWEEP_ROWS:-1000000}
runs=${RUNS:-3}
bench=$PWD/bench/trade

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
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
go build -o "$work/gen" ./bench/trade/gen
"$work/gen" --rows "$rows" >"$work/sorted.csv"
"$work/gen" --rows "$rows" --order shuffled >"$work/shuffled.csv"
partners=(1 2 5 10 25)
for p in "${partners[@]}"; do "$work/gen" --rows "$sweep_rows" --partners "$p" >"$work/p$p.csv"; done
lines_of() { echo $(($(wc -l <"$1") - 1)); }
lines=$(lines_of "$work/sorted.csv")
size=$(du -m "$work/sorted.csv" | cut -f1)
npm install --silent --no-save --prefix "$work/duckdb" @duckdb/node-api@1.5.6-r.1 >/dev/null
cp "$bench/duckdb.mjs" "$work/duckdb/"

# A throw-away PostgreSQL cluster with Debian's default settings.
mkdir "$work/pg"
[ ${#run_pg[@]} -eq 0 ] || chown postgres: "$work/pg"
pgport=$(free_port 55500)
"${run_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U sriim --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
pg_db() { # a new database of the cluster, for one import
	"${run_pg[@]}" "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U sriim -d postgres -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	echo "postgres://sriim@127.0.0.1:$pgport/$1?sslmode=disable"
}

# measure CMD...: prints "seconds peak_MiB" of the command.
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
	awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/time"
}
# import DSN FILE: SRIIM's import of FILE into a new database.
import() {
	"$work/sriim" migrate --db "$1" --log-level error >/dev/null
	measure "$work/sriim" import trade --db "$1" --log-level error --format comtrade-legacy --source benchmark "$2"
}
# peer FILE: sqlite3's .import of FILE into a new plain table.
peer() {
	rm -f "$work/plain.db"
	measure sqlite3 "$work/plain.db" ".import --csv $1 comtrade"
}
# Each turn starts on new files after the disk has written the previous
# turn's pages, so that neither pays for the other's write-back.
fresh() {
	rm -f "$work/plain.db" "$work"/sriim.db*
	sync
}
median_of() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
sqlite="sqlite:$work/sriim.db"

# turns NAME FILE: $runs turns of the peer and SRIIM on FILE; sets
# NAME_peer, NAME_lite (median seconds) and NAME_peer_mb, NAME_lite_mb
# (peak) and NAME_turns (the times).
turns() {
	local name=$1 file=$2 s mb peer_runs=() lite_runs=() peer_mb=0 lite_mb=0
	for _ in $(seq "$runs"); do
		fresh
		read -r s mb < <(peer "$file")
		peer_runs+=("$s") peer_mb=$((mb > peer_mb ? mb : peer_mb))
		fresh
		read -r s mb < <(import "$sqlite" "$file")
		lite_runs+=("$s") lite_mb=$((mb > lite_mb ? mb : lite_mb))
	done
	printf -v "${name}_peer" '%s' "$(printf '%s\n' "${peer_runs[@]}" | median_of)"
	printf -v "${name}_lite" '%s' "$(printf '%s\n' "${lite_runs[@]}" | median_of)"
	printf -v "${name}_peer_mb" '%s' "$peer_mb"
	printf -v "${name}_lite_mb" '%s' "$lite_mb"
	printf -v "${name}_turns" '%s' "peer: ${peer_runs[*]} s; SRIIM: ${lite_runs[*]} s"
}

turns sorted "$work/sorted.csv"
turns shuffled "$work/shuffled.csv"
for p in "${partners[@]}"; do turns "p$p" "$work/p$p.csv"; done
sync
read -r pg_sorted_s pg_sorted_mb < <(import "$(pg_db sorted)" "$work/sorted.csv")
read -r pg_shuffled_s pg_shuffled_mb < <(import "$(pg_db shuffled)" "$work/shuffled.csv")
postgres="postgres://sriim@127.0.0.1:$pgport/sorted?sslmode=disable"

# serve DSN: starts SRIIM on DSN, sets $server and $url.
serve() {
	local port
	port=$(free_port 18380)
	"$work/sriim" serve --addr "127.0.0.1:$port" --db "$1" --data-dir "$work/data" --log-level error &
	server=$!
	url="http://127.0.0.1:$port"
	for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null && break; sleep 0.1; done
}
stop() {
	kill "$server"
	wait "$server" 2>/dev/null || true
	server=
}

# median DSN: the importers query's median latency through the API, in ms.
query="/api/v1/markets/importers?hs=030799&flow=import&from=2000&to=2004&top=20"
median() {
	serve "$1"
	curl -fs "$url$query" >/dev/null
	wrk -t1 -c1 -d10s --latency "$url$query" |
		awk '$1 == "50%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000; printf "%.2f\n", v }'
	stop
}
fresh
import "$sqlite" "$work/sorted.csv" >/dev/null
lite_q=$(median "$sqlite")
pg_q=$(median "$postgres")
duck_q=$(cd "$work/duckdb" && node duckdb.mjs "$work/sorted.csv" 10)

# Logins while a server on SQLite imports the sorted file from the web.
csrf() { grep -o 'name="csrf_token" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//; s/&#43;/+/g'; }
# login: one login through the form, from a new browser; prints its seconds.
login() {
	local jar=$work/jar.$RANDOM token
	token=$(curl -fs -c "$jar" -b "$jar" "$url/entrar" | csrf)
	curl -fs -o /dev/null -c "$jar" -b "$jar" -H "Origin: $url" -w '%{time_total}\n' \
		--data-urlencode "email=bench@example.org" --data-urlencode "password=$password" --data-urlencode "csrf_token=$token" "$url/entrar"
	rm -f "$jar"
}
fresh
rm -rf "$work/data"
"$work/sriim" migrate --db "$sqlite" --log-level error >/dev/null
password=$("$work/sriim" user add --db "$sqlite" --data-dir "$work/data" --log-level error --email bench@example.org --name Bench --role admin |
	sed -n 's/^password: //p')
# check: one API call with a personal token, which records the token's
# last use (a write); prints its seconds.
check() { curl -fs -o /dev/null -H "Authorization: Bearer $secret" -w '%{time_total}\n' "$url/api/v1/tokens"; }
serve "$sqlite"
jar=$work/jar.upload
token=$(curl -fs -c "$jar" -b "$jar" "$url/entrar" | csrf)
curl -fs -o /dev/null -c "$jar" -b "$jar" -H "Origin: $url" --data-urlencode "email=bench@example.org" \
	--data-urlencode "password=$password" --data-urlencode "csrf_token=$token" "$url/entrar"
token=$(curl -fs -c "$jar" -b "$jar" "$url/cuenta" | csrf)
secret=$(curl -fs -c "$jar" -b "$jar" -H "Origin: $url" --data-urlencode name=bench --data-urlencode "csrf_token=$token" "$url/cuenta/tokens" |
	grep -o 'sriim_[A-Za-z0-9_-]*' | head -n 1)
idle_login=() idle_check=()
for _ in $(seq 20); do idle_login+=("$(login)") idle_check+=("$(check)"); done
token=$(curl -fs -c "$jar" -b "$jar" "$url/mercados/importar" | csrf)
batch=$(curl -fs -o /dev/null -c "$jar" -b "$jar" -H "Origin: $url" -w '%{redirect_url}' -F "csrf_token=$token" -F format=comtrade-legacy \
	-F "archivo=@$work/sorted.csv" "$url/mercados/importar" | sed 's|.*/||')
busy_login=() busy_check=()
while curl -fs "$url/api/v1/markets/imports/$batch" | grep -q '"state":"running"'; do busy_login+=("$(login)") busy_check+=("$(check)"); done
curl -fs "$url/api/v1/markets/imports/$batch" | grep -q '"state":"done"' || { echo "the import from the web failed" >&2; exit 1; }
stop
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "| %d | %.0f ms | %.0f ms |\n", NR, v[int((NR + 1) / 2)] * 1000, v[NR] * 1000 }'; }

echo "Import of $lines rows ($size MB) into SQLite, median of $runs turns with the peer on the same file"
echo "(sorted: $sorted_turns; shuffled: $shuffled_turns):"
echo
echo "| importer | rows | time | rows/s | × sqlite3 .import | peak memory |"
echo "|---|---|---|---|---|---|"
row() { # row LABEL ROWS SECONDS PEER_SECONDS MIB
	awk -v l="$1" -v n="$2" -v s="$3" -v p="$4" -v mb="$5" 'BEGIN { printf "| %s | %d | %.1f s | %.0f | %.2f | %s MiB |\n", l, n, s, n / s, p / s, mb }'
}
row "sqlite3 .import, plain table (peer), sorted" "$lines" "$sorted_peer" "$sorted_peer" "$sorted_peer_mb"
row "SRIIM, SQLite, sorted" "$lines" "$sorted_lite" "$sorted_peer" "$sorted_lite_mb"
row "sqlite3 .import, plain table (peer), shuffled" "$lines" "$shuffled_peer" "$shuffled_peer" "$shuffled_peer_mb"
row "SRIIM, SQLite, shuffled" "$lines" "$shuffled_lite" "$shuffled_peer" "$shuffled_lite_mb"
row "SRIIM, PostgreSQL, sorted" "$lines" "$pg_sorted_s" "$sorted_peer" "$pg_sorted_mb"
row "SRIIM, PostgreSQL, shuffled" "$lines" "$pg_shuffled_s" "$shuffled_peer" "$pg_shuffled_mb"
echo
awk -v a="$shuffled_lite" -v b="$sorted_lite" -v c="$pg_shuffled_s" -v d="$pg_sorted_s" 'BEGIN {
	printf "Shuffled ÷ sorted time: SQLite %.2f, PostgreSQL %.2f.\n", a / b, c / d }'
echo
echo "Partners per series, $sweep_rows rows each, SQLite, median of $runs turns with the peer on the same file:"
echo
echo "| partners per series | rows | peer | SRIIM | SRIIM rows/s | × sqlite3 .import |"
echo "|---|---|---|---|---|---|"
for p in "${partners[@]}"; do
	peer_s=p${p}_peer lite_s=p${p}_lite
	awk -v p="$p" -v n="$(lines_of "$work/p$p.csv")" -v ps="${!peer_s}" -v ls="${!lite_s}" 'BEGIN {
		printf "| %d | %d | %.1f s | %.1f s | %.0f | %.2f |\n", p, n, ps, ls, n / ls, ps / ls }'
done
echo
echo "Logins (the login form's POST: a password hash and a session written) and API token checks (a write of the token's"
echo "last use) one after the other while a server on SQLite imports the sorted file uploaded from the web, beside the same"
echo "with no import:"
echo
echo "| | requests | median | longest |"
echo "|---|---|---|---|"
echo "| login, no import $(stats "${idle_login[@]}")"
echo "| login, during the import $(stats "${busy_login[@]}")"
echo "| token check, no import $(stats "${idle_check[@]}")"
echo "| token check, during the import $(stats "${busy_check[@]}")"
echo
echo "Importers query, median:"
echo
echo "| | median | × DuckDB |"
echo "|---|---|---|"
awk -v l="$lite_q" -v g="$pg_q" -v d="$duck_q" 'BEGIN {
	printf "| DuckDB, same query over the raw rows (peer) | %.2f ms | 1.00 |\n", d
	printf "| SRIIM API, SQLite | %.2f ms | %.2f |\n", l, l / d
	printf "| SRIIM API, PostgreSQL | %.2f ms | %.2f |\n", g, g / d }'
