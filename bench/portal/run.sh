#!/usr/bin/env bash
# Portal benchmark (issue 8): for the home and catalogue pages, the bytes a
# browser transfers compressed (HTML + CSS + scripts), and median and p99
# latency and requests/s under wrk at 64 connections on 127.0.0.1, beside
# the same HTML served as a static file by nginx (gzip on) in the same run;
# and the median time to render each page anew, one request at a time.
#
#   bench/portal/run.sh [seconds per run, default 10]
#
# Installs wrk and nginx from Debian's packages when missing. Prints a
# Markdown table; bench/portal/README.md keeps the latest one.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}

need=(wrk:wrk nginx:nginx-light curl:curl)
. bench/portal/setup.sh
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# nginx serves the pages' HTML as static files, compressed like SRIIM's.
nginx_port=$(free_port $((sriim_port + 1)))
mkdir -p "$work/static" "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	types { text/html html; }
	gzip on;
	gzip_min_length 256;
	client_body_temp_path $work/nginx;
	proxy_temp_path $work/nginx;
	fastcgi_temp_path $work/nginx;
	uwsgi_temp_path $work/nginx;
	scgi_temp_path $work/nginx;
	server {
		listen 127.0.0.1:$nginx_port;
		root $work/static;
	}
}
EOF

# bytes_of URL: bytes on the wire for the body, compressed as a browser asks.
bytes_of() { curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{size_download}' "$1"; }

# wrk_stats URL [connections]: median, p99 and requests/s.
wrk_stats() {
	wrk -t"${2:-2}" -c"${2:-64}" -d"${duration}s" --latency -H 'Accept-Encoding: gzip' "$1" | awk '
		$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } $1 == "Requests/sec:" { rps = $2 }
		END { printf "%s %s %.0f\n", p50, p99, rps }'
}

for page in home:/ catalogue:/oferta; do
	name=${page%%:*} path=${page#*:}
	curl -fs "$base$path" >"$work/static/$name.html"
done
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx"
pids+=("$(sleep 0.2; cat "$work/nginx/nginx.pid")")

echo "| page | HTML+CSS+JS compressed | rendered, 1 connection: median | SRIIM median | SRIIM p99 | SRIIM req/s | nginx median | nginx p99 | nginx req/s | SRIIM / nginx |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for page in home:/ catalogue:/oferta; do
	name=${page%%:*} path=${page#*:}
	total=$(bytes_of "$base$path")
	for asset in $(grep -o '\(href\|src\)="/static/[^"]*\.\(css\|js\)"' "$work/static/$name.html" | sed 's/.*="\(.*\)"/\1/'); do
		total=$((total + $(bytes_of "$base$asset")))
	done
	# ?lang= passes by the page cache (it sets a cookie): the page is rendered each time.
	read -r r50 _ _ < <(wrk_stats "$base$path?lang=es" 1)
	read -r s50 s99 srps < <(wrk_stats "$base$path")
	read -r n50 n99 nrps < <(wrk_stats "http://127.0.0.1:$nginx_port/$name.html")
	ratio=$(awk -v a="$srps" -v b="$nrps" 'BEGIN { printf "%.2f", a / b }')
	echo "| $name ($path) | $total B | $r50 | $s50 | $s99 | $srps | $n50 | $n99 | $nrps | $ratio |"
done
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" -s stop
