#!/bin/sh
# Refreshes the vendored Leaflet (the optional slippy map on /zonas) from the
# npm package: internal/ui/static/leaflet/ is never edited by hand.
# Usage: scripts/vendor-leaflet.sh [VERSION]   (default: the latest 1.9.x)
set -eu
spec="leaflet@${1:-1.9}"
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/internal/ui/static/leaflet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$spec" >/dev/null && tar xzf leaflet-*.tgz)
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$tmp/package/package.json")
rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$tmp/package/LICENSE" "$dest/"
cat >"$dest/README.txt" <<END
Leaflet $version, taken unchanged from the npm package leaflet@$version (dist/leaflet.js,
dist/leaflet.css and LICENSE) by scripts/vendor-leaflet.sh; refresh it with that script, never
by hand. Its images (markers, the layers control) are left out: the zones map uses neither, and
the repository keeps no binary files.
END
echo "vendored Leaflet $version into ${dest#"$root"/}"
