// Command search measures the archive's search over a batch that `sriim
// import documents` loaded (bench/archive/run.sh does both): for each query,
// in turns, SRIIM's search (the service, as the API will call it: 20
// results with snippets and facets) and the peer, `grep -ril` of the
// query's first word over the same text files. It prints the medians.
//
//	go run ./bench/archive/search --db sqlite:/tmp/x/sriim.db --data-dir /tmp/x --texts /tmp/lote/textos
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/db"
)

// queries mix frequent words of the chain, rarer ones, forms that only
// stemming and accent folding find, and two-word searches.
var queries = []string{
	"exportación", "exportaciones", "exportacion", "moluscos", "concha de abanico", "loco congelado", "depuración",
	"habilitación sanitaria", "marea roja", "linternas", "certificación", "precio del pulpo", "desembarque", "tesis",
	"comercializadores", "inocuidad", "veda", "zona de extracción", "laboratorio", "caleta",
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func main() {
	dsn := flag.String("db", "", "the database the batch was imported into")
	dataDir := flag.String("data-dir", "", "SRIIM's data directory for that database")
	texts := flag.String("texts", "", "the directory of the batch's text files, for grep")
	runs := flag.Int("runs", 5, "turns over the queries")
	profile := flag.String("cpuprofile", "", "write a CPU profile of SRIIM's searches (the process's) to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	svc := archive.New(d, *dataDir+"/files")
	var sriim, grep []time.Duration
	var sriimCPU, grepCPU time.Duration // processor time: this process's (SQLite works in it), grep's
	total := 0
	for turn := 0; turn < *runs; turn++ {
		for _, q := range queries {
			start, cpu := time.Now(), cpuTime(syscall.RUSAGE_SELF)
			res, err := svc.Search(ctx, auth.Principal{}, archive.SearchQuery{Q: q, Limit: 20})
			if err != nil {
				log.Fatal(err)
			}
			sriim = append(sriim, time.Since(start))
			sriimCPU += cpuTime(syscall.RUSAGE_SELF) - cpu
			total += res.Total
			start, cpu = time.Now(), cpuTime(syscall.RUSAGE_CHILDREN)
			// grep exits 1 when nothing matches; that is an answer too.
			if err := exec.Command("grep", "-ril", "--", strings.Fields(q)[0], *texts).Run(); err != nil {
				if e, ok := err.(*exec.ExitError); !ok || e.ExitCode() != 1 {
					log.Fatal(err)
				}
			}
			grep = append(grep, time.Since(start))
			grepCPU += cpuTime(syscall.RUSAGE_CHILDREN) - cpu
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	n := time.Duration(len(sriim))
	fmt.Printf("%s\t%d queries\tmedian %.2f ms (max %.2f)\tgrep -ril median %.2f ms\t× grep %.4f\tmean hits %d\tcpu %.2f ms\tgrep cpu %.2f ms\n",
		d.Dialect, len(sriim), ms(median(sriim)), ms(slicesMax(sriim)), ms(median(grep)), float64(median(sriim))/float64(median(grep)), total/len(sriim),
		ms(sriimCPU/n), ms(grepCPU/n))
}

// cpuTime is the processor time (user and system) of this process or of
// its waited-for children.
func cpuTime(who int) time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(who, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func slicesMax(d []time.Duration) time.Duration {
	m := d[0]
	for _, x := range d {
		m = max(m, x)
	}
	return m
}
