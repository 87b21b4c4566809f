#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with Go:
# installs what is missing (PostgreSQL, Chromium, poppler, GDAL) from Debian's packages,
# starts a throw-away PostgreSQL cluster on a free port, runs the linters,
# `go test -race` on both backends (with the browser tests), lints the
# OpenAPI document, and stops what it started. Safe to run twice, and as root.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v chromium >/dev/null || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v npx >/dev/null || missing+=(npm)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v ogrinfo >/dev/null || missing+=(gdal-bin)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A throw-away PostgreSQL cluster, owned by an unprivileged user (initdb
# refuses root), listening on loopback only, on a free port.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d)
chmod 755 "$work"
run_pg=()
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$work"
	run_pg=(runuser -u postgres --)
fi
port=55432
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
stop() {
	"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap stop EXIT
log "starting PostgreSQL on 127.0.0.1:$port"
"${run_pg[@]}" "$pgbin/initdb" -D "$work/data" -U sriim --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
	-o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
export SRIIM_TEST_POSTGRES="postgres://sriim@127.0.0.1:$port/postgres?sslmode=disable"
export SRIIM_TEST_BROWSER=/usr/bin/chromium
# The PDF tests render pages with poppler and compare them with references.
export SRIIM_TEST_PDFTOPPM=/usr/bin/pdftoppm
# GDAL's OAPIF driver reads the OGC API – Features of a running instance.
SRIIM_TEST_OGRINFO=$(command -v ogrinfo)
export SRIIM_TEST_OGRINFO
# axe-core checks the public pages for WCAG 2 A/AA violations in Chromium.
npm install --silent --no-save --prefix "$work/axe" axe-core@4.14.1 >/dev/null
export SRIIM_AXE="$work/axe/node_modules/axe-core/axe.min.js"

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi
log "go vet"
go vet ./...
log "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

log "OpenAPI lint"
go run ./cmd/sriim openapi >"$work/openapi.json"
npx --yes @redocly/cli@2.77.0 lint --config .redocly.yaml "$work/openapi.json"

log "go test -race (SQLite and PostgreSQL, browser tests in Chromium)"
go test -race -count=1 -timeout 45m ./...

log "fuzzing the trade parsers briefly"
# A count, not a duration: Go 1.26's fuzzing coordinator can fail a target
# with a bare "context deadline exceeded" when a duration ends while a worker
# is busy (golang/go#75804, fixed in Go 1.27), which a loaded machine hits.
for fuzz in FuzzLegacy FuzzV1 FuzzSRIIM; do
	go test -run '^$' -fuzz "^${fuzz}\$" -fuzztime 10000x ./internal/trade/
done
