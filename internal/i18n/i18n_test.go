package i18n

import (
	"io/fs"
	"reflect"
	"slices"
	"testing"

	"sriim/internal/errs"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	es := Keys(ES)
	for _, lang := range Supported[1:] {
		other := Keys(lang)
		for k := range es {
			if !other[k] {
				t.Errorf("%s.json lacks %q", lang, k)
			}
		}
		for k := range other {
			if !es[k] {
				t.Errorf("es.json lacks %q", k)
			}
		}
	}
}

// The languages are the catalogue files, Spanish first.
func TestSupportedComesFromTheCatalogueFiles(t *testing.T) {
	names, _ := fs.Glob(files, "*.json")
	if len(Supported) != len(names) || Supported[0] != ES || !slices.Contains(Supported, EN) {
		t.Fatalf("Supported = %v, files %v", Supported, names)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := map[string]Lang{
		"":                        ES,
		"en-US,en;q=0.9":          EN,
		"es-PE,es;q=0.9,en;q=0.8": ES,
		"zh-TW,en;q=0.5":          EN,
		"fr-FR":                   ES,
		"ja;q=0.9,en-GB;q=0.8":    EN,
		"not a header;;;":         ES,
	}
	for header, want := range tests {
		if got := FromAcceptLanguage(header); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", header, got, want)
		}
	}
	if _, ok := Match("fr-FR"); ok {
		t.Error("Match(fr-FR) found a language")
	}
}

func TestParseAndT(t *testing.T) {
	if l, ok := Parse("EN-gb"); !ok || l != EN {
		t.Errorf("Parse(EN-gb) = %q, %v", l, ok)
	}
	if _, ok := Parse("fr"); ok {
		t.Error("Parse(fr) accepted")
	}
	if got := T(EN, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key gives %q", got)
	}
}

func TestPluralForms(t *testing.T) {
	tests := []struct {
		lang Lang
		n    int
		want string
	}{
		{ES, 1, "1 exportador."},
		{ES, 0, "0 exportadores."},
		{ES, 2, "2 exportadores."},
		{EN, 1, "1 exporter."},
		{EN, 21, "21 exporters."},
	}
	for _, tt := range tests {
		if got := T(tt.lang, "offer.found", tt.n); got != tt.want {
			t.Errorf("T(%s, offer.found, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	// A message whose count is not its first argument says which it is.
	if got := Message(EN, "schema version %d (%d migrations applied)", 10, 1); got != "schema version 10 (1 migration applied)" {
		t.Errorf("count by position: %q", got)
	}
	if got := Message(ES, "the file has %d problems; nothing was imported", 1); got != "el archivo tiene 1 problema; no se importó nada" {
		t.Errorf("Spanish singular: %q", got)
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		lang   Lang
		format string
		args   []any
		want   string
	}{
		{ES, "the check digit does not match: mistyped?", nil, "el dígito verificador no coincide: ¿error de digitación?"},
		{EN, "the check digit does not match: mistyped?", nil, "the check digit does not match: mistyped?"},
		{ES, "no report %d", []any{7}, "no existe el reporte 7"},
		// Words of the interface given as arguments are translated too.
		{ES, "the report is %s; it cannot become %s", []any{Term("state.approved"), Term("state.draft")}, "el reporte está aprobado; no puede pasar a borrador"},
		{EN, "the report is %s: it is locked", []any{Term("state.approved")}, "the report is approved: it is locked"},
		// A message no catalogue knows is shown as it is.
		{ES, "a message nobody translated: %d", []any{3}, "a message nobody translated: 3"},
		// Without arguments a text is not a format: "%" stays.
		{ES, "required (t, kg, %, …)", nil, "obligatoria (t, kg, %, …)"},
	}
	for _, tt := range tests {
		if got := Message(tt.lang, tt.format, tt.args...); got != tt.want {
			t.Errorf("Message(%s, %q) = %q, want %q", tt.lang, tt.format, got, tt.want)
		}
	}
}

// Field messages are kept as English text; Text recognises the message
// they were formatted from.
func TestTextRecognisesFormattedMessages(t *testing.T) {
	tests := []struct {
		lang Lang
		in   string
		want string
	}{
		{ES, "required", "obligatorio"},
		{ES, `"12,x" is not a number`, `"12,x" no es un número`},
		{ES, "one of fresco, congelado, conserva", "uno de fresco, congelado, conserva"},
		{ES, `this RUC is registered already, as "Pesquera Sur SAC" (no. 12)`, `este RUC ya está registrado, como "Pesquera Sur SAC" (n.º 12)`},
		{ES, "the file has 3 problems; nothing was imported", "el archivo tiene 3 problemas; no se importó nada"},
		{EN, "the file has 1 problems; nothing was imported", "the file has 1 problem; nothing was imported"},
		{ES, "something no catalogue knows", "something no catalogue knows"},
		// A message inside another, as the text of its %s.
		{ES, "polygon 2: ring 1 has no area", "polígono 2: el anillo 1 no tiene área"},
		{ES, "polygon 2: something no catalogue knows", "polígono 2: something no catalogue knows"},
		{EN, "required", "required"},
	}
	for _, tt := range tests {
		if got := Text(tt.lang, tt.in); got != tt.want {
			t.Errorf("Text(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestSubstituteFollowsTheTranslationsOrder(t *testing.T) {
	if got := substitute("%[2]s antes de %[1]s", []string{"a", "b"}); got != "b antes de a" {
		t.Errorf("got %q", got)
	}
	if got := substitute("100 %% de %s", []string{"x"}); got != "100 % de x" {
		t.Errorf("got %q", got)
	}
}

func TestErrorTextPlacesProblemsInTheLanguage(t *testing.T) {
	e := errs.FileProblems([]errs.Problem{
		{Line: 3, Column: "ruc", Msg: errs.Msg{Format: "the check digit does not match: mistyped?"}},
		{Line: 3, Column: "ruc", Msg: errs.Msg{Format: "already registered"}},
		{Line: 4, Msg: errs.Msg{Format: "the same actor as row %d", Args: []any{2}}},
		{Msg: errs.Msg{Format: "and %d more problems", Args: []any{1}}},
	}, "the file has %d problems; nothing was imported", 4)
	if e.Fields["fila 3, columna ruc"] != "the check digit does not match: mistyped?; already registered" || e.Fields["…"] != "and 1 more problems" {
		t.Fatalf("English fields: %v", e.Fields)
	}
	msg, fields := ErrorText(EN, e)
	want := map[string]string{"row 3, column ruc": "the check digit does not match: mistyped?; already registered",
		"row 4": "the same actor as row 2", "…": "and 1 more problem"}
	if msg != "the file has 4 problems; nothing was imported" || !reflect.DeepEqual(fields, want) {
		t.Errorf("EN: %q %v", msg, fields)
	}
	msg, fields = ErrorText(ES, e)
	want = map[string]string{"fila 3, columna ruc": "el dígito verificador no coincide: ¿error de digitación?; ya registrado",
		"fila 4": "el mismo actor que la fila 2", "…": "y 1 problema más"}
	if msg != "el archivo tiene 4 problemas; no se importó nada" || !reflect.DeepEqual(fields, want) {
		t.Errorf("ES: %q %v", msg, fields)
	}
	// Form fields keep their names; a reworded error is read from its English.
	f := errs.Fields("the actor has invalid fields", map[string]string{"ruc": "a RUC has 11 digits", "fila 2": "required"})
	msg, fields = ErrorText(ES, f)
	if msg != "el actor tiene campos no válidos" || fields["ruc"] != "un RUC tiene 11 dígitos" || fields["fila 2"] != "obligatorio" {
		t.Errorf("fields: %q %v", msg, fields)
	}
	r := errs.E(errs.Invalid, "the file has %d problems; nothing was imported", 2).Reword(errs.Forbidden, "you may not change this record")
	if msg, _ := ErrorText(ES, r); msg != "usted no puede cambiar este registro" {
		t.Errorf("reworded: %q", msg)
	}
	r.Message = "you may not register actors" // set by hand, without Reword
	if msg, _ := ErrorText(ES, r); msg != "usted no puede registrar actores" {
		t.Errorf("Message set by hand: %q", msg)
	}
}

func TestFieldNameWordsAPlaceInTheLanguage(t *testing.T) {
	for key, want := range map[string]string{
		"fila 3, columna ruc":                 "fila 3, columna ruc",
		"feature 2 (R-2), attribute geometry": "elemento 2 (R-2), atributo geometry",
		"feature 4, attribute code":           "elemento 4, atributo code",
		"feature 7 (AP-ILO-01)":               "elemento 7 (AP-ILO-01)",
		"ruc":                                 "ruc",
	} {
		if got := FieldName(ES, key); got != want {
			t.Errorf("FieldName(ES, %q) = %q, want %q", key, got, want)
		}
	}
	if got := FieldName(EN, "fila 3, columna ruc"); got != "row 3, column ruc" {
		t.Errorf("FieldName(EN) = %q", got)
	}
}
