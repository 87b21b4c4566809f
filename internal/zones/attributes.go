package zones

import (
	"strconv"
	"strings"
	"time"

	"sriim/internal/errs"
	"sriim/internal/vocab"
)

// aliases are the attribute names files use for each field, in order of
// preference: the names of the layer list, the Spanish column names, and
// the ten-character forms a shapefile truncates them to.
var aliases = map[string][]string{
	"code":              {"code", "codigo", "código", "cod"},
	"name":              {"nombre", "name"},
	"valid_from":        {"valid_from", "desde", "vigencia_desde", "fecha_inicio"},
	"valid_to":          {"valid_to", "hasta", "vigencia_hasta", "fecha_fin"},
	"species":           {"species", "especies", "especie"},
	"kind":              {"kind", "tipo"},
	"holder":            {"holder", "titular"},
	"holder_ruc":        {"holder_ruc", "ruc", "ruc_titular"},
	"resolution":        {"resolution", "resolucion", "resolución"},
	"resolution_date":   {"resolution_date", "fecha_resolucion", "fecha_resolución", "fecha_reso", "fecha_res"},
	"hectares_declared": {"hectares_declared", "hectares", "hectareas", "hectáreas", "ha"},
	"status":            {"status", "estado"},
	"class":             {"class", "clase"},
	"class_date":        {"class_date", "fecha_clase", "fecha_clas"},
	"district":          {"district", "distrito"},
	"operator":          {"operator", "administrador", "operador"},
	"vessels":           {"vessels", "embarcaciones", "embarcacio"},
	"fishers":           {"fishers", "pescadores"},
	"notes":             {"notes", "notas", "observaciones", "description", "descripcion"},
	"source":            {"source", "fuente"},
}

// get returns a field's value among a feature's properties and the name it
// was found under.
func get(props map[string]string, field string) (string, string) {
	for _, name := range aliases[field] {
		if v, ok := props[name]; ok {
			return strings.TrimSpace(v), name
		}
	}
	return "", aliases[field][0]
}

// parseDate reads a date as files write it: YYYY-MM-DD (also with a time,
// or with slashes), DD/MM/YYYY or YYYYMMDD.
func parseDate(s string) (string, *errs.Error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02", "02/01/2006", "02-01-2006", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", errs.E(errs.Invalid, "%q is not a date (YYYY-MM-DD)", s)
}

// parseNumber reads a number with a decimal point or a decimal comma
// ("12.5", "12,5", "1.234,5", "1,234.5").
func parseNumber(s string) (float64, *errs.Error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	dot, comma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	switch {
	case comma > dot:
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case dot > comma && comma >= 0:
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errs.E(errs.Invalid, "%q is not a number", s)
	}
	return v, nil
}

// parseSpecies reads FAO 3-alpha codes separated by commas, semicolons,
// slashes or spaces, checked against the species SRIIM knows.
func parseSpecies(s string, known map[string]bool) ([]string, *errs.Error) {
	out := []string{}
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '/' || r == ' ' }) {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !known[c] {
			return nil, errs.E(errs.Invalid, "%q is not a species code (FAO 3-alpha, e.g. SCQ)", c)
		}
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseTerm reads a vocabulary word.
func parseTerm(v vocab.List, s string) (string, *errs.Error) {
	code, ok := v.Parse(s)
	if !ok {
		return "", errs.E(errs.Invalid, "%q is not one of: %s", s, v.Words())
	}
	return code, nil
}
