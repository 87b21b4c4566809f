package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"sriim/internal/stats"
)

// FormatNumber writes a number as people in Peru read it: 1,234.5.
func FormatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot-1 > 2 {
		s = strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	if v < 0 {
		return "−" + b.String()
	}
	return b.String()
}

// YearSpan writes the years from first to last: "2001–2004", or "2001".
func YearSpan(first, last int) string {
	if first == last {
		return strconv.Itoa(first)
	}
	return fmt.Sprintf("%d–%d", first, last)
}

// Thousands writes US$ as thousands, rounded, as the seed's tables do.
func Thousands(v float64) string { return FormatNumber(math.Round(v / 1000)) }

// Percent writes a percentage held as a pointer, "" when there is none (not
// computable).
func Percent(p *float64) string {
	if p == nil {
		return ""
	}
	return FormatNumber(*p) + " %"
}

// GrowthSpan writes the years a growth rate runs over when they are not the
// table's first and last ("2001–2004"), else "".
func GrowthSpan(s *stats.Span, years []int) string {
	if s == nil || len(years) > 0 && s[0] == years[0] && s[1] == years[len(years)-1] {
		return ""
	}
	return YearSpan(s[0], s[1])
}
