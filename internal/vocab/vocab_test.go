package vocab

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Asociación": "asociacion", "ILO": "ilo", " Ñandú ": "nandu", "Pescadores": "pescadores"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	v := List{{"dried_salted", "seco_salado"}, {"capture", "extraccion"}}
	for in, want := range map[string]string{"dried_salted": "dried_salted", "Seco salado": "dried_salted", " EXTRACCIÓN ": "capture", "seco": ""} {
		if got, ok := v.Parse(in); got != want || ok != (want != "") {
			t.Errorf("Parse(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	if v.Spanish("capture") != "extraccion" || v.Spanish("other") != "other" || v.Words() != "seco_salado, extraccion" {
		t.Error("Spanish or Words")
	}
}
