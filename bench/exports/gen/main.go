// Command gen writes a deterministic file of Peru's export declarations in
// the import's template (SUNAT's Spanish columns) for the regional exports
// benchmark: 2,000 exporters with valid RUCs and sizes as concentrated as
// exports are (the i-th largest ships about 1/i of the largest's
// declarations), each producing in one department (every tenth in
// Moquegua) and shipping a few of 24 national lines of chapters 03 and 16
// to a few of 40 destinations, 20 years (2002–2021) with dates as
// dd/mm/yyyy, heavy-tailed (Pareto) FOB values.
// The same flags always give the same file.
//
//	go run ./bench/exports/gen --rows 2000000 > declaraciones.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"

	"sriim/internal/actors"
	"sriim/internal/exports"
	"sriim/internal/trade"
)

// lines are national lines of molluscs, crustaceans and fish, the seed's
// three among them.
var lines = []string{
	"0307992000", "0307919000", "1605901000", "0307490000", "0307590000", "0307290000", "0307991000", "0307999000",
	"0306139100", "0306139900", "0303790000", "0304299000", "0305590000", "1604141000", "1604200000", "1605200000",
	"0307920000", "0307220000", "0307520000", "1605540000", "1605550000", "1605560000", "1605590000", "0308110000",
}

// destinations are importers of Peru's fishery products.
var destinations = []string{"JPN", "CHN", "HKG", "TWN", "KOR", "USA", "CAN", "MEX", "ESP", "FRA", "ITA", "PRT", "NLD", "BEL", "DEU",
	"GBR", "RUS", "UKR", "THA", "VNM", "SGP", "MYS", "IDN", "PHL", "AUS", "NZL", "BRA", "CHL", "COL", "ECU", "BOL", "ARG", "URY",
	"VEN", "PAN", "CRI", "DOM", "ISR", "ARE", "ZAF"}

var ports = []string{"ILO", "CALLAO", "PAITA", "MATARANI", "CHIMBOTE", "PISCO", "SALAVERRY"}

func main() {
	rows := flag.Int("rows", 2_000_000, "how many declarations to write")
	seed := flag.Uint64("seed", 2006, "random seed")
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, *seed))

	var countries []trade.Partner
	for _, iso := range destinations {
		code, ok := trade.PartnerByISO(iso)
		if !ok {
			log.Fatalf("no country %s", iso)
		}
		p, _ := trade.PartnerByCode(code)
		countries = append(countries, p)
	}
	type exporter struct {
		ruc, name, department string
		markets               []int
		lines                 []string
	}
	exporters := make([]exporter, 2000)
	for i := range exporters {
		base := fmt.Sprintf("20%08d", 10000000+i*37)
		e := &exporters[i]
		e.ruc = base + string(actors.RUCCheckDigit(base))
		e.name = fmt.Sprintf("EXPORTADORA %04d S.A.C.", i)
		if i%10 == 0 {
			e.department = "MOQUEGUA"
		} else {
			e.department = exports.Departments[rng.IntN(len(exports.Departments))].NameES
		}
		for range 2 + rng.IntN(6) {
			e.markets = append(e.markets, rng.IntN(len(countries)))
		}
		for range 1 + rng.IntN(4) {
			e.lines = append(e.lines, lines[rng.IntN(len(lines))])
		}
	}

	// Exporters by size: the i-th ships about 1/i of the first's declarations.
	cumulative := make([]float64, len(exporters))
	var total float64
	for i := range exporters {
		total += 1 / float64(i+1)
		cumulative[i] = total
	}
	pick := func() *exporter {
		i, _ := slices.BinarySearch(cumulative, rng.Float64()*total)
		return &exporters[min(i, len(exporters)-1)]
	}

	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	w := csv.NewWriter(out)
	if err := w.Write(exports.Columns); err != nil {
		log.Fatal(err)
	}
	for range *rows {
		e := pick()
		dest := countries[e.markets[rng.IntN(len(e.markets))]]
		kg := math.Round(100 + rng.Float64()*20000)
		fob := math.Round(kg*(2+rng.Float64()*20)/math.Pow(1-rng.Float64(), 1/4.0)*100) / 100
		year := 2002 + rng.IntN(20)
		month := 1 + rng.IntN(12)
		day := 1 + rng.IntN(28)
		rec := []string{e.ruc, e.name, e.lines[rng.IntN(len(e.lines))], dest.NameES, ports[rng.IntN(len(ports))],
			strconv.FormatFloat(fob, 'f', 2, 64), strconv.FormatFloat(kg, 'f', -1, 64), strconv.FormatFloat(math.Round(kg*1.08), 'f', -1, 64),
			strconv.FormatFloat(kg, 'f', -1, 64), "KG", fmt.Sprintf("%02d/%02d/%d", day, month, year), e.department}
		if err := w.Write(rec); err != nil {
			log.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		log.Fatal(err)
	}
	if err := out.Flush(); err != nil {
		log.Fatal(err)
	}
}
