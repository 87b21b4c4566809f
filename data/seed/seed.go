// Package seed embeds the data files taken from the seed plan (Plan
// Operativo de Moluscos – PERX Moquegua, MINCETUR, October 2006) and public
// reference lists. Each file names the source of each row.
package seed

import "embed"

// Files holds the seed data files.
//
//go:embed *.csv *.json *.geojson
var Files embed.FS
