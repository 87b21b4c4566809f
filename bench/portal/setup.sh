# Shared by the portal benchmarks (source it): installs the Debian packages
# named in $need when missing, builds SRIIM, loads the seed and the test
# exporters into a fresh SQLite database, and serves it on a free port
# ($base). Everything started is stopped, and $work removed, on exit.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for pkg in "${need[@]}"; do
	bin=${pkg%%:*}
	command -v "$bin" >/dev/null || [ -x "/usr/sbin/$bin" ] || missing+=("${pkg#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

go build -o "$work/sriim" ./cmd/sriim
dsn="sqlite:$work/sriim.db"
"$work/sriim" seed --db "$dsn" --data-dir "$work" --log-level error
go run ./bench/portal/populate --db "$dsn" --data-dir "$work"

sriim_port=$(free_port 18080)
"$work/sriim" serve --addr "127.0.0.1:$sriim_port" --db "$dsn" --data-dir "$work" --log-level error &
pids+=($!)
base="http://127.0.0.1:$sriim_port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
