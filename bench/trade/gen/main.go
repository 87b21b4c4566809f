// Command gen writes a deterministic UN Comtrade legacy bulk CSV (22
// columns) for the trade benchmarks: about 200 reporters and partners with
// their real M49 codes, 25 years (1992–2016, each year in the HS revision
// Comtrade used for it), imports and exports of the HS6 lines of chapters 03
// and 16, heavy-tailed (Pareto) values, and for each reporter, year, flow and
// product a partner-World row equal to the sum of the partner rows. The same
// flags always give the same file.
//
//	go run ./bench/trade/gen --rows 10000000 > comtrade.csv
//
// --partners N gives every series (reporter, year, flow and product) exactly
// N partner rows and no World row, with as many products as the rows need
// (HS6 codes of chapters 03 and 16); --order shuffled writes the rows in a
// random order (the same every time), so that the rows of a series are apart.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"

	"sriim/internal/trade"
)

// products are HS6 lines of chapters 03 (fish, crustaceans, molluscs) and
// 16 (their preparations).
var products = []string{
	"030211", "030219", "030311", "030379", "030410", "030420", "030510", "030520", "030530",
	"030611", "030612", "030613", "030614", "030619", "030621", "030622", "030623", "030624", "030629",
	"030710", "030721", "030729", "030731", "030739", "030741", "030749", "030751", "030759", "030760",
	"030791", "030799", "160411", "160412", "160413", "160414", "160415", "160416", "160419", "160420",
	"160430", "160510", "160520", "160530", "160540", "160590",
}

// revision is the HS revision Comtrade reports a year in.
func revision(year int) string {
	switch {
	case year < 1996:
		return "H0"
	case year < 2002:
		return "H1"
	case year < 2007:
		return "H2"
	case year < 2012:
		return "H3"
	default:
		return "H4"
	}
}

func main() {
	rows := flag.Int("rows", 10_000_000, "about how many rows to write (the last group is completed)")
	seed := flag.Uint64("seed", 2006, "random seed")
	partners := flag.Int("partners", 0, "partner rows per series, without a World row (0: as many as the rows need, and a World row)")
	order := flag.String("order", "sorted", "sorted (each series' rows together) or shuffled (every row at a random place)")
	flag.Parse()
	if *order != "sorted" && *order != "shuffled" {
		log.Fatalf("--order: sorted or shuffled, not %q", *order)
	}
	rng := rand.New(rand.NewPCG(*seed, *seed))

	var countries []trade.Partner
	for _, p := range trade.Partners() {
		if !p.Aggregate && p.ISO != "" && p.Code != 0 {
			countries = append(countries, p)
		}
	}
	slices.SortFunc(countries, func(a, b trade.Partner) int { return a.Code - b.Code })
	if len(countries) > 200 {
		countries = countries[:200]
	}
	world, _ := trade.PartnerByCode(0)
	// Each group (reporter, year, flow, product) has as many partner rows as
	// the target needs on average, between 1 and all but the reporter.
	groups := len(countries) * 25 * 2 * len(products)
	perGroup := max(1, min(len(countries)-1, *rows/groups))
	if *partners > 0 {
		perGroup = min(*partners, len(countries)-1)
		products = moreProducts(*rows / perGroup / (len(countries) * 25 * 2))
	}

	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	var body *bytes.Buffer // the rows, kept to be shuffled
	var w *csv.Writer
	if *order == "shuffled" {
		body = new(bytes.Buffer)
		w = csv.NewWriter(body)
	} else {
		w = csv.NewWriter(out)
	}
	header := csv.NewWriter(out)
	_ = header.Write([]string{"Classification", "Year", "Period", "Period Desc.", "Aggregate Level", "Is Leaf Code", "Trade Flow Code", "Trade Flow",
		"Reporter Code", "Reporter", "Reporter ISO", "Partner Code", "Partner", "Partner ISO", "Commodity Code", "Commodity",
		"Qty Unit Code", "Qty Unit", "Qty", "Netweight (kg)", "Trade Value (US$)", "Flag"})
	header.Flush()
	written := 0
	record := make([]string, 22)
	for _, reporter := range countries {
		for year := 1992; year <= 2016 && written < *rows; year++ {
			for flow := 1; flow <= 2; flow++ {
				for _, hs := range products {
					y := strconv.Itoa(year)
					flowName := [...]string{"", "Import", "Export"}[flow]
					put := func(partner trade.Partner, value, kg float64) {
						copy(record, []string{revision(year), y, y, y, "6", "1", strconv.Itoa(flow), flowName,
							strconv.Itoa(reporter.Code), reporter.NameEN, reporter.ISO, strconv.Itoa(partner.Code), partner.NameEN, partner.ISO,
							hs, "HS " + hs, "8", "Weight in kilograms",
							strconv.FormatFloat(kg, 'f', 0, 64), strconv.FormatFloat(kg, 'f', 0, 64), strconv.FormatFloat(value, 'f', 0, 64), "0"})
						_ = w.Write(record)
						written++
					}
					var total, totalKg float64
					picks := rng.Perm(len(countries))
					if *partners == 0 {
						picks = picks[:perGroup+1] // perGroup or perGroup+1 partners, as the figures so far
					}
					given := 0
					for _, i := range picks {
						partner := countries[i]
						if partner.Code == reporter.Code {
							continue
						}
						if given == perGroup && *partners > 0 {
							break
						}
						given++
						// Pareto, α = 1.2: most flows are small, a few are huge.
						value := math.Round(min(1000/math.Pow(1-rng.Float64(), 1/1.2), 5e9))
						kg := math.Round(value / (4 + 26*rng.Float64()))
						total, totalKg = total+value, totalKg+kg
						put(partner, value, kg)
					}
					if *partners == 0 {
						put(world, total, totalKg)
					}
				}
			}
		}
	}
	w.Flush()
	if body != nil {
		shuffle(out, body.Bytes(), rng)
	}
	if err := out.Flush(); err != nil {
		log.Fatal(err)
	}
}

// moreProducts returns at least n HS6 codes: the list above, then codes of
// chapters 03 and 16 that it lacks.
func moreProducts(n int) []string {
	codes := slices.Clone(products)
	for heading := 301; heading <= 1605 && len(codes) < n; heading++ {
		if heading == 310 {
			heading = 1601
		}
		for sub := 10; sub <= 99 && len(codes) < n; sub++ {
			if c := fmt.Sprintf("%04d%02d", heading, sub); !slices.Contains(products, c) {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) < n {
		log.Fatalf("%d products needed, %d available: fewer rows or more partners", n, len(codes))
	}
	return codes
}

// shuffle writes the lines of rows to out in a random order.
func shuffle(out io.Writer, rows []byte, rng *rand.Rand) {
	var starts []int
	for i := 0; i < len(rows); {
		starts = append(starts, i)
		i += bytes.IndexByte(rows[i:], '\n') + 1
	}
	starts = append(starts, len(rows))
	order := rng.Perm(len(starts) - 1)
	for _, i := range order {
		if _, err := out.Write(rows[starts[i]:starts[i+1]]); err != nil {
			log.Fatal(err)
		}
	}
}
