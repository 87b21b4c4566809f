package trade_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/trade"
)

// generated is a file made as it is read: head, then row(i) for i from 0
// while i < n, then tail; it counts the bytes read of it.
type generated struct {
	head, tail string
	row        func(i int) string
	n, i       int
	buf        []byte
	read       int64
}

func (g *generated) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && (g.head != "" || g.i < g.n || g.tail != "") {
		switch {
		case g.head != "":
			g.buf, g.head = append(g.buf, g.head...), ""
		case g.i < g.n:
			g.buf = append(g.buf, g.row(g.i)...)
			g.i++
		default:
			g.buf, g.tail = append(g.buf, g.tail...), ""
		}
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.read += int64(n)
	return n, nil
}

// gzipped compresses r as it is read.
func gzipped(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		_, err := io.Copy(zw, r)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// counted counts the bytes read of r.
type counted struct {
	r    io.Reader
	read int64
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

const legacyHeader = "Classification,Year,Period,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,Trade Value (US$)\n"

// TestHostileTradeFilesAreRefusedEarly: whatever a file holds, the import's
// memory stays bounded and a file of nothing is refused quickly, with the
// limit named; what was read of the file shows it stopped early.
func TestHostileTradeFilesAreRefusedEarly(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name, format string
		file         func() *generated
		gzip         bool
		want         string
		maxRead      int64
	}{
		{"a .gz of a gibibyte of blank lines", trade.FormatLegacy, func() *generated {
			return &generated{row: func(int) string { return strings.Repeat("\n", 4096) }, n: gib / 4096}
		}, true, "limit of 1000 blank lines", 64 << 10},
		{"blank lines after the header", trade.FormatSRIIM, func() *generated {
			return &generated{head: "reportero,socio,flujo,clasificacion,codigo,anio,valor_usd\r\n", row: func(int) string { return " \r\n" }, n: gib / 3}
		}, false, "limit of 1000 blank lines", 1 << 20},
		{"one endless line", trade.FormatLegacy, func() *generated {
			return &generated{head: legacyHeader + "H2,2000,2000,1,392,764,", row: func(int) string { return "0307990307990307" }, n: gib / 16}
		}, false, "longer than the limit of 1 MiB", 2 << 20},
		{"an endless quoted field", trade.FormatLegacy, func() *generated {
			return &generated{head: legacyHeader + `H2,2000,2000,1,392,764,"`, row: func(int) string { return "Molluscs, prepared\n" }, n: gib / 19}
		}, false, "longer than the limit of 1 MiB", 2 << 20},
		{"one series of a million partners", trade.FormatLegacy, func() *generated {
			return &generated{head: legacyHeader, row: func(i int) string { return fmt.Sprintf("H2,2000,2000,1,392,%d,030799,5\n", i) }, n: 1_000_000}
		}, false, "a code from 0 to 999", 1 << 20},
		{"one row a million times", trade.FormatLegacy, func() *generated {
			return &generated{head: legacyHeader, row: func(int) string { return "H2,2000,2000,1,392,764,030799,5\n" }, n: 1_000_000}
		}, false, "repeats an earlier row", 1 << 20},
		{"a gibibyte of blanks in a JSON array", trade.FormatV1, func() *generated {
			return &generated{head: `{"data": [`, row: func(int) string { return strings.Repeat(" ", 4096) }, n: gib / 4096}
		}, false, "longer than the limit of 1 MiB", 2 << 20},
		{"an endless JSON string", trade.FormatV1, func() *generated {
			return &generated{head: `{"data": [{"cmdCode": "`, row: func(int) string { return "0307990307990307" }, n: gib / 16}
		}, false, "longer than the limit of 1 MiB", 2 << 20},
		{"an endless JSON value before the data", trade.FormatV1, func() *generated {
			return &generated{head: `{"elapsedTime": "`, row: func(int) string { return "0307990307990307" }, n: gib / 16}
		}, false, "longer than the limit of 1 MiB", 2 << 20},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		stored := count(t, d)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b, err := s.Start(context.Background(), mesa, tt.format, tt.name, "test")
				if err != nil {
					t.Fatal(err)
				}
				file := tt.file()
				in := &counted{r: file}
				if tt.gzip {
					in = &counted{r: gzipped(file)}
				}
				b, err = s.Import(context.Background(), mesa, b, in)
				if !errs.Is(err, errs.Invalid) || !strings.Contains(b.Error, tt.want) || b.State != "failed" {
					t.Fatalf("%v; batch %s: %.300q, want an error with %q", err, b.State, b.Error, tt.want)
				}
				if in.read > tt.maxRead {
					t.Fatalf("read %d bytes of the file (%d generated) before refusing it, want at most %d", in.read, file.read, tt.maxRead)
				}
			})
		}
		if n := count(t, d); n != stored {
			t.Fatalf("refused files stored %d figures", n-stored)
		}
	})
}
