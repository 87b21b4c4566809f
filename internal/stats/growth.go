// Package stats holds the formulas SRIIM reports with, each pinned by tests:
// growth rates and shares.
package stats

import "math"

// CAGR is the compound annual growth rate between two values `years` apart:
// (last/first)^(1/years) − 1, as a fraction. It is not computable (ok false)
// when first is zero, negative or missing (NaN), last is negative or
// missing, or years is not positive.
func CAGR(first, last float64, years int) (rate float64, ok bool) {
	if years <= 0 || !(first > 0) || !(last >= 0) || math.IsInf(first, 0) || math.IsInf(last, 0) {
		return 0, false
	}
	return math.Pow(last/first, 1/float64(years)) - 1, true
}

// Span is the first and last years a rate was computed over; in JSON, [2001, 2004].
type Span [2]int

// SeriesCAGR is the CAGR of a series from its first year with a value to
// its last (values NaN are missing), and the years it spans. A series whose
// first years are missing grows from the first year it has: the span says so.
func SeriesCAGR(years []int, values []float64) (rate float64, span Span, ok bool) {
	first, last := -1, -1
	for i, v := range values {
		if i < len(years) && !math.IsNaN(v) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, Span{}, false
	}
	rate, ok = CAGR(values[first], values[last], years[last]-years[first])
	if !ok {
		return 0, Span{}, false
	}
	return rate, Span{years[first], years[last]}, true
}

// TrendGrowth is the growth per year of the least-squares line fitted to
// ln(value) on year, over the points with a positive value: e^b − 1, as a
// fraction. It needs at least two such points in different years.
func TrendGrowth(years []int, values []float64) (rate float64, ok bool) {
	var n, sx, sy, sxx, sxy float64
	for i, v := range values {
		if i >= len(years) || !(v > 0) || math.IsInf(v, 0) {
			continue
		}
		x, y := float64(years[i]), math.Log(v)
		n++
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	den := n*sxx - sx*sx
	if n < 2 || den == 0 {
		return 0, false
	}
	b := (n*sxy - sx*sy) / den
	return math.Exp(b) - 1, true
}

// Share is part/whole as a fraction, not computable when whole is not positive.
func Share(part, whole float64) (float64, bool) {
	if !(whole > 0) || math.IsNaN(part) {
		return 0, false
	}
	return part / whole, true
}
