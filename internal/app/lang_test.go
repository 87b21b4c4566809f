package app

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// The command line's tests read its English messages, whatever the
// machine's locale; TestCommandLineSpeaksLang asks for each language.
func TestMain(m *testing.M) {
	os.Setenv("SRIIM_LANG", "en")
	os.Exit(m.Run())
}

func TestCommandLineSpeaksLang(t *testing.T) {
	dsn := dbtest.DSN(t, "sqlite")
	bad := t.TempDir() + "/bad.csv"
	if err := os.WriteFile(bad, []byte("nombre,tipos,ruc\nX,exportador,20100000001\n\"open,exportador\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args      []string
		want      string // in the output or the error output
		wantCode  int
		forbidden string // the other language's wording
	}{
		{[]string{"migrate", "--lang", "es"}, "versión del esquema", 0, "schema version"},
		{[]string{"migrate", "--lang", "en"}, "schema version", 0, "versión"},
		{[]string{"import", "actors", bad, "--lang", "es"}, "el archivo no es un CSV válido (fila 3:", 1, "not valid"},
		{[]string{"import", "actors", bad, "--lang", "en"}, "the file is not valid CSV (row 3:", 1, "fila"},
		{[]string{"export", "actors", "--lang", "es"}, "--out es obligatorio", 1, "required"},
		{[]string{"fly", "--lang", "es"}, "comando desconocido", 2, "unknown command"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), append(tt.args, "--db", dsn, "--data-dir", t.TempDir()), &out, &errOut)
		got := out.String() + errOut.String()
		if code != tt.wantCode || !strings.Contains(got, tt.want) || strings.Contains(got, tt.forbidden) {
			t.Errorf("%v: exit %d, want %d and %q without %q:\n%s", tt.args, code, tt.wantCode, tt.want, tt.forbidden, got)
		}
	}
}

// A command's problems are listed in the file's order: row 3 before row 11
// (as text, "fila 11" came first).
func TestDescribeListsProblemsInTheFilesOrder(t *testing.T) {
	err := errs.Fields("the actor has invalid fields", map[string]string{
		"fila 11, columna anio": "x", "fila 3, columna tipo": "y", "fila 3, columna anio": "z"})
	got := describe(i18n.ES, err)
	a, b, c := strings.Index(got, "fila 3, columna anio"), strings.Index(got, "fila 3, columna tipo"), strings.Index(got, "fila 11")
	if a < 0 || b < a || c < b {
		t.Errorf("problems out of order: %s", got)
	}
}
