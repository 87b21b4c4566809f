#!/bin/sh
# Makes the derived test files from the hand-written derechos-utm19s-crs.geojson
# (aquaculture rights in UTM 19S on WGS84, GeoJSON 2008 with a "crs" member)
# with GDAL's ogr2ogr (Debian's gdal-bin). The tests do not run it; its
# outputs are committed. The PSAD56 shapefile is converted with EPSG
# transformation 1208 (PSAD56 to WGS 84 (8), Peru), the one SRIIM applies.
set -eu
cd "$(dirname "$0")"
src=derechos-utm19s-crs.geojson
rm -f derechos.geojson derechos.kml derechos-psad56.zip
ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=9 -t_srs EPSG:4326 derechos.geojson "$src"
ogr2ogr -f KML -t_srs EPSG:4326 derechos.kml "$src"
tmp=$(mktemp -d)
ogr2ogr -f "ESRI Shapefile" -lco ENCODING=UTF-8 -s_srs EPSG:32719 -t_srs EPSG:24879 -ct "+proj=pipeline \
 +step +inv +proj=utm +zone=19 +south +ellps=WGS84 +step +proj=push +v_3 +step +proj=cart +ellps=WGS84 \
 +step +inv +proj=helmert +x=-279 +y=175 +z=-379 +step +inv +proj=cart +ellps=intl +step +proj=pop +v_3 \
 +step +proj=utm +zone=19 +south +ellps=intl" "$tmp/derechos.shp" "$src"
(cd "$tmp" && zip -q -X derechos-psad56.zip derechos.shp derechos.shx derechos.dbf derechos.prj derechos.cpg)
mv "$tmp/derechos-psad56.zip" .
rm -rf "$tmp"
