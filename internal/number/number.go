// Package number reads the numbers people type into SRIIM's forms and
// spreadsheets, in the Spanish and the English way.
package number

import (
	"cmp"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Hint says how to write a number, for messages about one that is not.
const Hint = "a number, such as 2,5 or 2.5 (1,234 is one thousand two hundred and thirty-four)"

// ErrSyntax is the error of a text that is no number.
var ErrSyntax = errors.New("not a number")

// Decimal is the decimal separator a number was written with.
type Decimal int

// The ways a number is written.
const (
	Whole Decimal = iota // no decimal part: "1234", "1,234", "1.234.567"
	Point                // a decimal point: "2.5", "1,234.5", "1.234"
	Comma                // a decimal comma: "2,5", "1.234,5", "0,125"
)

// String names the decimal separator.
func (d Decimal) String() string {
	switch d {
	case Point:
		return "point"
	case Comma:
		return "comma"
	}
	return "whole"
}

// Parse reads a number written with a decimal comma or a decimal point
// (see Read).
func Parse(s string) (float64, error) {
	f, _, err := Read(s)
	return f, err
}

// Read reads a number written with a decimal comma or a decimal point,
// with or without thousands separators: "2,5", "2.5", "1.234,5",
// "1,234.5", "1 234,5", "-3", "−3".
//
// The rule for one separator alone, which could be either:
//   - a point is the decimal separator ("1.234" is 1.234);
//   - a comma followed by exactly three digits, after one to three digits
//     that do not start with 0, groups thousands ("1,234" is 1234), as
//     SRIIM itself writes figures on every page; any other comma is the
//     decimal separator ("2,5" is 2.5, "0,125" is 0.125, "12,3456" is 12.3456).
//
// A separator that repeats groups thousands ("1.234.567", "1,234,567"), and
// when both appear the last one is the decimal separator. Groups after the
// first must have three digits: "1,23,4" is refused rather than guessed.
// It also says which decimal separator it took the number to have.
func Read(s string) (float64, Decimal, error) {
	s = strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		neg = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	// Spaces (also no-break and thin ones) group thousands.
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009':
			return -1
		}
		return r
	}, s)
	var intPart, frac string
	dec := Whole
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots > 0 && commas > 0: // the last one is the decimal separator
		sep, group := byte('.'), ","
		dec = Point
		if comma > dot {
			sep, group, dec = ',', ".", Comma
		}
		at := strings.LastIndexByte(s, sep)
		if strings.Count(s, string(sep)) > 1 || !grouped(s[:at], group) {
			return 0, dec, ErrSyntax
		}
		intPart, frac = strings.ReplaceAll(s[:at], group, ""), s[at+1:]
	case dots > 1 || commas > 1:
		group := ","
		if dots > 1 {
			group = "."
		}
		if !grouped(s, group) {
			return 0, dec, ErrSyntax
		}
		intPart = strings.ReplaceAll(s, group, "")
	case dots == 1:
		intPart, frac, dec = s[:dot], s[dot+1:], Point
	case commas == 1:
		if grouped(s, ",") && s[0] != '0' {
			intPart = s[:comma] + s[comma+1:]
		} else {
			intPart, frac, dec = s[:comma], s[comma+1:], Comma
		}
	default:
		intPart = s
	}
	if intPart == "" && frac == "" || intPart != "" && !digits(intPart) || frac != "" && !digits(frac) {
		return 0, dec, ErrSyntax
	}
	f, err := strconv.ParseFloat(cmp.Or(intPart, "0")+"."+cmp.Or(frac, "0"), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, dec, ErrSyntax
	}
	if neg {
		f = -f
	}
	return f, dec, nil
}

// grouped reports whether s is digits in thousands groups separated by
// sep: one to three digits, then groups of three.
func grouped(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts) < 2 || len(parts[0]) < 1 || len(parts[0]) > 3 || !digits(parts[0]) {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 || !digits(p) {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
