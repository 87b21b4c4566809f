package importer

import (
	"slices"
	"testing"
)

// Problems are listed in the file's order: row 2, row 9, row 10, and
// within a row by column.
func TestCompareKeys(t *testing.T) {
	keys := []string{"fila 10, columna archivo", "fila 2, columna tipo", "fila 9, columna anio", "fila 2, columna anio", "archivo", "fila 010, columna b"}
	slices.SortFunc(keys, CompareKeys)
	want := []string{"archivo", "fila 2, columna anio", "fila 2, columna tipo", "fila 9, columna anio", "fila 10, columna archivo", "fila 010, columna b"}
	if !slices.Equal(keys, want) {
		t.Errorf("order %q, want %q", keys, want)
	}
}
