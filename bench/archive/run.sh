#!/usr/bin/env bash
# Archive benchmark (issue 17): generates $DOCS Spanish documents (10 000 by
# default, about 20 KB of text each) and, in the same run:
#   - imports them with `sriim import documents --metadata` into SQLite and
#     into a throw-away PostgreSQL cluster (documents/s: reading, storing,
#     indexing), beside one `grep -ril` over the same texts (the peer);
#   - measures search latency on each backend (bench/archive/search: 20
#     queries, in turns with `grep -ril` of the same word, medians).
#
#   DOCS=2000 bench/archive/run.sh
#
# Installs PostgreSQL from Debian's packages when missing. Figures are in README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
docs=${DOCS:-10000}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || [ ! -x /usr/bin/time ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql time >/dev/null
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

go build -o "$work/sriim" ./cmd/sriim
go build -o "$work/search" ./bench/archive/search
go run ./bench/archive/gen --docs "$docs" --out "$work/lote"
size=$(du -sm "$work/lote/textos" | cut -f1)

# A throw-away PostgreSQL cluster with Debian's default settings.
mkdir "$work/pg"
[ ${#run_pg[@]} -eq 0 ] || chown postgres: "$work/pg"
port=55600
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
"${run_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U sriim --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null

# seconds CMD...: the wall time of a command, and its processor time (user + system).
seconds() {
	/usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
	awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time"
}

# server_cpu BACKEND: the processor seconds the database server has used so
# far — none for SQLite, which works in the client's process; for the
# PostgreSQL cluster, its postmaster's and its children's, those that ended
# (counted in the postmaster) and those running. On a loaded machine wall
# times stretch, processor times much less.
server_cpu() {
	if [ "$1" = sqlite ]; then echo 0; return; fi
	local pm
	pm=$(head -n 1 "$work/pg/postmaster.pid")
	{
		awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
		for c in $(cat /proc/"$pm"/task/*/children 2>/dev/null); do awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || true; done
	} | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f\n", s / hz }'
}

read -r grep_s grep_cpu < <(seconds sh -c "grep -ril -- exportación '$work/lote/textos' || true")
results=()
for backend in sqlite postgres; do
	data="$work/data-$backend"
	dsn="sqlite:$data/sriim.db"
	[ "$backend" = sqlite ] || dsn="postgres://sriim@127.0.0.1:$port/postgres?sslmode=disable"
	"$work/sriim" migrate --db "$dsn" --log-level error >/dev/null
	"$work/sriim" seed --db "$dsn" --data-dir "$data" --log-level error
	sync
	before=$(server_cpu "$backend")
	read -r s cpu < <(seconds "$work/sriim" import documents --metadata "$work/lote/lote.csv" --db "$dsn" --data-dir "$data" --log-level error)
	if [ "$backend" = postgres ]; then
		# What autovacuum would do after a bulk load, done before the
		# searches so that its work is not counted as theirs.
		"${run_pg[@]}" "$pgbin/vacuumdb" -h "$work/pg" -p "$port" -U sriim --analyze --quiet postgres
	fi
	middle=$(server_cpu "$backend")
	out=$("$work/search" --db "$dsn" --data-dir "$data" --texts "$work/lote/textos" --runs "${RUNS:-5}")
	after=$(server_cpu "$backend")
	results+=("$backend $s $cpu $(awk -v a="$before" -v b="$middle" -v c="$after" 'BEGIN { printf "%.2f %.2f", b - a, c - b }') $out")
done

echo "$docs documents, $size MB of text; grep -ril over them: $grep_s s, $grep_cpu s of processor ($(awk -v n="$docs" -v s="$grep_s" 'BEGIN { printf "%.0f", n / s }') documents/s)"
echo "(processor time: the client's and, on PostgreSQL, the server's; a search's is the mean)"
echo
echo "| backend | import | documents/s | per processor-second | search median | grep -ril median | search × grep | search processor time | grep's |"
echo "|---|---|---|---|---|---|---|---|---|"
for r in "${results[@]}"; do
	echo "$r" | awk -v n="$docs" '{
		for (i = 1; i <= NF; i++) { if ($i == "queries") q = $(i-1); if ($i == "median" && !m) m = $(i+1); if ($i == "-ril") gm = $(i+2); if ($i == "×") x = $(i+2); if ($i == "cpu" && !c) c = $(i+1); if ($i == "grep" && $(i+1) == "cpu") gc = $(i+2) }
		printf "| %s | %.1f s | %.0f | %.0f | %s ms | %s ms | %s | %.2f ms | %s ms |\n", $1, $2, n / $2, n / ($3 + $4), m, gm, x, c + 1000 * $5 / q, gc
	}'
done
