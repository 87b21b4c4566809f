package exports

import (
	"strings"

	"sriim/internal/vocab"
)

// Department is one of Peru's departments (regions), where an export
// declaration says the goods were produced.
type Department struct {
	Code    string // ISO 3166-2:PE
	Ubigeo  string // INEI's two-digit department code
	NameES  string
	aliases []string // other names files give it, folded
}

// Departments are Peru's 24 departments and the Constitutional Province of
// Callao (ISO 3166-2:PE; INEI's UBIGEO). Lima's metropolitan municipality
// (PE-LMA) is counted with the department of Lima: declarations name the
// department only.
var Departments = []Department{
	{"PE-AMA", "01", "Amazonas", nil},
	{"PE-ANC", "02", "Áncash", nil},
	{"PE-APU", "03", "Apurímac", nil},
	{"PE-ARE", "04", "Arequipa", nil},
	{"PE-AYA", "05", "Ayacucho", nil},
	{"PE-CAJ", "06", "Cajamarca", nil},
	{"PE-CAL", "07", "Callao", []string{"el callao", "prov. const. del callao", "provincia constitucional del callao"}},
	{"PE-CUS", "08", "Cusco", []string{"cuzco"}},
	{"PE-HUV", "09", "Huancavelica", nil},
	{"PE-HUC", "10", "Huánuco", nil},
	{"PE-ICA", "11", "Ica", nil},
	{"PE-JUN", "12", "Junín", nil},
	{"PE-LAL", "13", "La Libertad", nil},
	{"PE-LAM", "14", "Lambayeque", nil},
	{"PE-LIM", "15", "Lima", []string{"lima metropolitana", "lima provincias", "pe-lma"}},
	{"PE-LOR", "16", "Loreto", nil},
	{"PE-MDD", "17", "Madre de Dios", nil},
	{"PE-MOQ", "18", "Moquegua", nil},
	{"PE-PAS", "19", "Pasco", nil},
	{"PE-PIU", "20", "Piura", nil},
	{"PE-PUN", "21", "Puno", nil},
	{"PE-SAM", "22", "San Martín", nil},
	{"PE-TAC", "23", "Tacna", nil},
	{"PE-TUM", "24", "Tumbes", nil},
	{"PE-UCA", "25", "Ucayali", nil},
}

var departmentNames = func() map[string]string {
	m := map[string]string{}
	for _, d := range Departments {
		m[vocab.Fold(d.NameES)] = d.Code
		m[strings.ToLower(d.Code)] = d.Code
		m[d.Ubigeo] = d.Code
		for _, a := range d.aliases {
			m[a] = d.Code
		}
	}
	return m
}()

// DepartmentCode returns the ISO 3166-2 code of the department a file names:
// by its name as written (any case, with or without accents, with or without
// "Región" or "Departamento de" before it), its ISO code or its UBIGEO.
func DepartmentCode(name string) (string, bool) {
	s := vocab.Fold(name)
	for _, prefix := range []string{"region ", "departamento de ", "gobierno regional de "} {
		s = strings.TrimPrefix(s, prefix)
	}
	code, ok := departmentNames[s]
	return code, ok
}

// DepartmentName is the Spanish name of a department's code (the code itself when unknown).
func DepartmentName(code string) string {
	for _, d := range Departments {
		if d.Code == code {
			return d.NameES
		}
	}
	return code
}
