#!/usr/bin/env bash
# Regional exports benchmark (issue 20): generates $ROWS export declarations
# (2 million by default) and a UN Comtrade legacy file of as many rows, and
# in the same run:
#   - imports the declarations with `sriim import exports` into SQLite,
#     taking turns with SRIIM's own trade import of the Comtrade file (the
#     issue's target: at least as fast per row) and with the sqlite3 command
#     line's `.import` of the declarations into a plain table (the peer),
#     $RUNS times (3 by default; medians), each on a new database after
#     `sync`; then into a throw-away PostgreSQL cluster (COPY);
#   - times the regional summary by exporter for five years (2017–2021, the
#     region of Moquegua) on each backend: median of one query at a time for 10 s.
#
#   ROWS=200000 RUNS=1 bench/exports/run.sh
#
# Installs sqlite3, time and PostgreSQL from Debian's packages when missing.
# Figures are in README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-2000000}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
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
cleanup() {
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
go build -o "$work/query" ./bench/exports/query
go run ./bench/exports/gen --rows "$rows" >"$work/declaraciones.csv"
go run ./bench/trade/gen --rows "$rows" >"$work/comtrade.csv"
decl_lines=$(($(wc -l <"$work/declaraciones.csv") - 1))
trade_lines=$(($(wc -l <"$work/comtrade.csv") - 1))
size=$(du -m "$work/declaraciones.csv" | cut -f1)

mkdir "$work/pg"
[ ${#run_pg[@]} -eq 0 ] || chown postgres: "$work/pg"
pgport=$(free_port 55600)
"${run_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U sriim --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
postgres="postgres://sriim@127.0.0.1:$pgport/postgres?sslmode=disable"

# measure CMD...: prints "seconds peak_MiB" of the command.
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
	awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/time"
}
# fresh DSN: a migrated and seeded database, so that the import's time is its own.
fresh() { "$work/sriim" seed --db "$1" --log-level error >/dev/null; }
median_of() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

peer_runs=() exp_runs=() trade_runs=() exp_mb=0 trade_mb=0
for _ in $(seq "${RUNS:-3}"); do
	rm -f "$work/plain.db" "$work"/exports.db* "$work"/trade.db*
	fresh "sqlite:$work/exports.db"
	fresh "sqlite:$work/trade.db"
	sync
	read -r s _ < <(measure sqlite3 "$work/plain.db" ".import --csv $work/declaraciones.csv declaraciones")
	peer_runs+=("$s")
	rm -f "$work/plain.db"
	sync
	read -r s mb < <(measure "$work/sriim" import exports --db "sqlite:$work/exports.db" --log-level error "$work/declaraciones.csv")
	exp_runs+=("$s") exp_mb=$((mb > exp_mb ? mb : exp_mb))
	sync
	read -r s mb < <(measure "$work/sriim" import trade --db "sqlite:$work/trade.db" --log-level error --format comtrade-legacy "$work/comtrade.csv")
	trade_runs+=("$s") trade_mb=$((mb > trade_mb ? mb : trade_mb))
done
peer_s=$(printf '%s\n' "${peer_runs[@]}" | median_of)
exp_s=$(printf '%s\n' "${exp_runs[@]}" | median_of)
trade_s=$(printf '%s\n' "${trade_runs[@]}" | median_of)
fresh "$postgres"
sync
read -r pg_s pg_mb < <(measure "$work/sriim" import exports --db "$postgres" --log-level error "$work/declaraciones.csv")
read -r lite_q lite_n lite_rows < <("$work/query" --db "sqlite:$work/exports.db")
read -r pg_q pg_n pg_rows < <("$work/query" --db "$postgres")

echo "Import of $decl_lines declarations ($size MB) beside $trade_lines Comtrade rows; SQLite: median of ${#exp_runs[@]} turns"
echo "(sqlite3 .import: ${peer_runs[*]} s; exports: ${exp_runs[*]} s; trade: ${trade_runs[*]} s):"
echo
echo "| importer | time | rows/s | × trade import | × sqlite3 .import | peak memory |"
echo "|---|---|---|---|---|---|"
awk -v dn="$decl_lines" -v tn="$trade_lines" -v ps="$peer_s" -v es="$exp_s" -v emb="$exp_mb" -v ts="$trade_s" -v tmb="$trade_mb" -v gs="$pg_s" -v gmb="$pg_mb" 'BEGIN {
	t = tn / ts; p = dn / ps
	printf "| sqlite3 .import of the declarations, plain table (peer) | %.1f s | %.0f | %.2f | 1.00 | |\n", ps, p, p / t
	printf "| SRIIM trade import, SQLite (Comtrade rows) | %.1f s | %.0f | 1.00 | %.2f | %d MiB |\n", ts, t, t / p, tmb
	printf "| SRIIM exports import, SQLite | %.1f s | %.0f | %.2f | %.2f | %d MiB |\n", es, dn / es, dn / es / t, dn / es / p, emb
	printf "| SRIIM exports import, PostgreSQL (COPY) | %.1f s | %.0f | %.2f | %.2f | %d MiB (SRIIM only) |\n", gs, dn / gs, dn / gs / t, dn / gs / p, gmb }'
echo
echo "Regional summary by exporter, Moquegua, 2017–2021 (as an editor sees it), median of one query at a time for 10 s:"
echo
echo "| backend | median | queries | rows |"
echo "|---|---|---|---|"
echo "| SQLite | $lite_q ms | $lite_n | $lite_rows |"
echo "| PostgreSQL | $pg_q ms | $pg_n | $pg_rows |"
