package stats

import (
	"math"
	"slices"
)

// NearestRank is the p-th percentile (0 < p ≤ 100) of values by the
// nearest-rank method: the value at rank ⌈p/100 · n⌉ of the values sorted
// ascending, always one of the values (the median of 1, 2, 3, 4 is 2). It
// is not computable (ok false) without values or with p outside (0, 100].
func NearestRank(values []int, p float64) (value int, ok bool) {
	if len(values) == 0 || !(p > 0 && p <= 100) {
		return 0, false
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	// Round p/100·n to 12 digits first, so that 0.9·10 is rank 9, not 10.
	rank := int(math.Ceil(math.Round(p/100*float64(len(sorted))*1e12) / 1e12))
	return sorted[max(rank, 1)-1], true
}
