package importer

import (
	"strconv"
	"strings"
)

// ParseNumber reads a number as spreadsheets in Spanish and English write
// it: 1234.5, 1,234.5, 1.234,5, 2,4 (a lone comma followed by other than
// three digits is a decimal comma) and 6,500 or 1.234.567 (thousands).
func ParseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil || !strings.ContainsAny(s, ", ") && strings.Count(s, ".") < 2 {
		return f, err
	}
	s = strings.ReplaceAll(s, " ", "")
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma > dot: // 1.234,5
		s = strings.Replace(strings.ReplaceAll(s, ".", ""), ",", ".", 1)
	case comma >= 0 && dot > comma: // 1,234.5
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0 && strings.Count(s, ",") == 1 && len(s)-comma-1 != 3: // 2,4
		s = strings.Replace(s, ",", ".", 1)
	case comma >= 0: // 6,500 or 1,234,567
		s = strings.ReplaceAll(s, ",", "")
	default: // 1.234.567
		s = strings.ReplaceAll(s, ".", "")
	}
	return strconv.ParseFloat(s, 64)
}
