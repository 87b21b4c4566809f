package i18n

import "testing"

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	es, en := Keys(ES), Keys(EN)
	for k := range es {
		if !en[k] {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if !es[k] {
			t.Errorf("es.json lacks %q", k)
		}
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
