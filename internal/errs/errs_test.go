package errs

import (
	"errors"
	"reflect"
	"testing"
)

func TestErrorKeepsItsFormatAndArguments(t *testing.T) {
	e := E(Conflict, "the report for %s is approved", "2008")
	if e.Message != "the report for 2008 is approved" || e.Msg.Format != "the report for %s is approved" || !reflect.DeepEqual(e.Msg.Args, []any{"2008"}) {
		t.Fatalf("%+v", e)
	}
	// A format without arguments is text, not a format.
	if m := (Msg{Format: "required (t, kg, %, …)"}); m.String() != "required (t, kg, %, …)" {
		t.Errorf("%q", m.String())
	}
	cause := errors.New("zip: not a valid zip file")
	e = E(Invalid, "the file is not a valid XLSX workbook").Because(cause)
	if !errors.Is(e, cause) || e.Message != "the file is not a valid XLSX workbook" {
		t.Errorf("%+v", e)
	}
	e.Reword(Forbidden, "you may not change %s", "this")
	if e.Kind != Forbidden || e.Message != "you may not change this" || e.Msg.Format != "you may not change %s" {
		t.Errorf("reworded: %+v", e)
	}
}

func TestFileProblemsInFileOrder(t *testing.T) {
	e := FileProblems([]Problem{
		{Msg: Msg{Format: "and %d more problems", Args: []any{3}}},
		{Line: 7, Column: "valor", Msg: Msg{Format: "not a number"}},
		{Line: 3, Msg: Msg{Format: "repeats row %d", Args: []any{2}}},
		{Line: 7, Column: "valor", Msg: Msg{Format: "negative"}},
	}, "the file has %d problems; nothing was imported", 7)
	want := map[string]string{"fila 3": "repeats row 2", "fila 7, columna valor": "not a number; negative", "…": "and 3 more problems"}
	if e.Kind != Invalid || !reflect.DeepEqual(e.Fields, want) {
		t.Fatalf("%v", e.Fields)
	}
	var lines []int
	for _, p := range e.Problems {
		lines = append(lines, p.Line)
	}
	if !reflect.DeepEqual(lines, []int{3, 7, 7, 0}) {
		t.Errorf("order %v", lines)
	}
}
