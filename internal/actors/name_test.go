package actors

import "testing"

func TestComparableNamesIgnoreCompanyTypes(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"Pesquera Sur SAC", "Pesquera Sur S.A.C.", true},
		{"Pesquera Sur S. A. C.", "PESQUERA SUR sac", true},
		{"Pesquera Sur S.A.C.", "Pesquera Sur", true},
		{"Inversiones Marinas S.A.", "Inversiones Marinas SA", true},
		{"Inversiones Marinas S.A.A.", "Inversiones Marinas SAA", true},
		{"Acuícola Ilo S.R.L.", "Acuicola Ilo SRL", true},
		{"Maricultura Pacocha E.I.R.L.", "Maricultura Pacocha EIRL", true},
		{"Conservas Ite S.C.R.L.", "Conservas Ite SCRL", true},
		{"Buzos Unidos S.C.", "Buzos Unidos SC", true},
		{"Hermanos Quispe S. en C.", "Hermanos Quispe S en C", true},
		{"Pesquera Sur S.A.C.", "Pesquera Sur S.R.L.", true}, // the same firm, its type mistyped
		{"Pesquera Sur SAC", "Pesquera Norte SAC", false},
		{"Mariscos del Sur SAC", "Mariscos del Pacífico SAC", false},
		{"SAC", "S.A.C.", true}, // a name that is only a type is kept
	}
	for _, tt := range tests {
		a, b := comparableName(tt.a), comparableName(tt.b)
		if got := similar(a, b); got != tt.same {
			t.Errorf("%q (%q) and %q (%q): similar %v, want %v", tt.a, a, tt.b, b, got, tt.same)
		}
	}
	for name, want := range map[string]string{"Pesquera Sur S.A.C.": "pesquera sur", "Hermanos Quispe S. en C.": "hermanos quispe", "Sacos del Sur": "sacos del sur"} {
		if got := comparableName(name); got != want {
			t.Errorf("comparableName(%q) = %q, want %q", name, got, want)
		}
	}
}
