package stats

import "testing"

func TestNearestRank(t *testing.T) {
	for _, tc := range []struct {
		values []int
		p      float64
		want   int
		ok     bool
	}{
		{[]int{15, 20, 35, 40, 50}, 30, 20, true}, // the textbook example: rank ⌈1.5⌉ = 2
		{[]int{15, 20, 35, 40, 50}, 40, 20, true},
		{[]int{15, 20, 35, 40, 50}, 50, 35, true},
		{[]int{15, 20, 35, 40, 50}, 100, 50, true},
		{[]int{4, 1, 3, 2}, 50, 2, true},                    // unsorted; an even count gives the lower middle
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9, true}, // 0.9·10 is rank 9 exactly
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10, true},
		{[]int{7}, 90, 7, true},
		{[]int{7}, 1, 7, true},
		{nil, 50, 0, false},
		{[]int{1}, 0, 0, false},
		{[]int{1}, 101, 0, false},
	} {
		got, ok := NearestRank(tc.values, tc.p)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NearestRank(%v, %v) = %d, %v; want %d, %v", tc.values, tc.p, got, ok, tc.want, tc.ok)
		}
	}
}
