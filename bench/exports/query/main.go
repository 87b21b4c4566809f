// Command query times the regional summary by exporter: it runs the
// analysis of --region's exports by exporter for --from to --to (five years
// by default) on --db, one at a time for --duration, as an editor sees it
// (every exporter by name), and prints the median in milliseconds.
//
//	go run ./bench/exports/query --db sqlite:data/sriim.db
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"sort"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/exports"
)

func main() {
	dsn := flag.String("db", "", "database (sqlite:PATH or postgres://…)")
	region := flag.String("region", exports.DefaultRegion, "department of production")
	from := flag.Int("from", 2017, "first year")
	to := flag.Int("to", 2021, "last year")
	duration := flag.Duration("duration", 10*time.Second, "how long to run")
	flag.Parse()
	ctx := context.Background()
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	svc := exports.New(d)
	editor := auth.Principal{UserID: 1, Email: "bench", Role: auth.Editor}
	q := exports.Query{Region: *region, From: exports.Period{Year: *from}, To: exports.Period{Year: *to}, By: exports.ByExporter}
	res, err := svc.Regional(ctx, editor, q)
	if err != nil {
		log.Fatal(err)
	}
	if len(res.Rows) == 0 {
		log.Fatal("no exports to analyse")
	}
	var times []time.Duration
	for end := time.Now().Add(*duration); time.Now().Before(end); {
		start := time.Now()
		if _, err := svc.Regional(ctx, editor, q); err != nil {
			log.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Printf("%.2f %d %d\n", float64(times[len(times)/2].Microseconds())/1000, len(times), len(res.Rows))
}
