package importer

import "testing"

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"31500", 31500, true},
		{" 31500.25 ", 31500.25, true},
		{"31,500.25", 31500.25, true},
		{"31.500,25", 31500.25, true},
		{"6,500", 6500, true},
		{"2,4", 2.4, true},
		{"1.234.567", 1234567, true},
		{"1 234,5", 1234.5, true},
		{"-12.5", -12.5, true},
		{"", 0, false},
		{"doce", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
