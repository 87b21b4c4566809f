package number

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"2,5", 2.5, true},
		{"2.5", 2.5, true},
		{"1.234,5", 1234.5, true},
		{"1,234.5", 1234.5, true},
		{"1,234", 1234, true}, // as SRIIM writes one thousand two hundred thirty-four
		{"1.234", 1.234, true},
		{"0,125", 0.125, true},
		{"12,3456", 12.3456, true},
		{"1234,56", 1234.56, true},
		{"1,234,567", 1234567, true},
		{"1.234.567", 1234567, true},
		{"1.234.567,89", 1234567.89, true},
		{"1,234,567.89", 1234567.89, true},
		{"1 234,5", 1234.5, true},
		{"1\u00a0234,5", 1234.5, true},
		{" 42 ", 42, true},
		{"-3,5", -3.5, true},
		{"−1,234", -1234, true},
		{"+7", 7, true},
		{",5", 0.5, true},
		{"5.", 5, true},
		{"0", 0, true},
		{"", 0, false},
		{",", 0, false},
		{"abc", 0, false},
		{"1,23,4", 0, false},
		{"1.2.3", 0, false},
		{"1,234.5.6", 0, false},
		{"1.234,5,6", 0, false},
		{"12,34.5", 0, false},
		{"1e3", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"--1", 0, false},
		{"2,5%", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || tt.ok && got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestReadSaysWhichDecimalItSaw(t *testing.T) {
	for in, want := range map[string]Decimal{
		"2,5": Comma, "1.234,5": Comma, "0,125": Comma, "1 234,75": Comma,
		"2.5": Point, "1,234.5": Point, "1.234": Point,
		"1234": Whole, "1,234": Whole, "1.234.567": Whole, "−3": Whole,
	} {
		if _, got, err := Read(in); err != nil || got != want {
			t.Errorf("Read(%q): %v %v, want %v", in, got, err, want)
		}
	}
}
