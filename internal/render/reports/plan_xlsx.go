package reports

import (
	"strconv"
	"strings"

	"sriim/internal/i18n"
	"sriim/internal/planning"
)

// PlanTable is the plan's activities with their lights in year, a row per
// activity, for the plan's workbook.
func PlanTable(acts []planning.Activity, year int, lang i18n.Lang) (header []string, rows [][]string) {
	header = []string{"objetivo", "estrategia", "actividad", "titulo", "periodo", "desde", "hasta", "metas", "indicadores", "instituciones", "semaforo_" + strconv.Itoa(year), "ultimo_reporte"}
	for _, a := range acts {
		var targets, inds, insts []string
		for _, t := range a.Targets {
			targets = append(targets, t.Statement)
		}
		for _, i := range a.Indicators {
			inds = append(inds, i.Name)
		}
		for _, i := range a.Institutions {
			insts = append(insts, i.Name)
		}
		last := ""
		if a.LastPeriod != "" {
			last = a.LastPeriod + ": " + i18n.T(lang, "status."+a.LastStatus)
		}
		rows = append(rows, []string{a.ObjectiveCode, a.StrategyCode, a.Code, a.Title, a.Period, strconv.Itoa(a.StartYear), strconv.Itoa(a.EndYear),
			strings.Join(targets, "\n"), strings.Join(inds, "\n"), strings.Join(dedupe(insts), "; "), i18n.T(lang, "light."+string(a.Light)), last})
	}
	return header, rows
}

// ProgressTable is one progress report, a row per indicator, for its workbook.
func ProgressTable(a planning.Activity, rep planning.Report, lang i18n.Lang) (header []string, rows [][]string) {
	var names []string
	for _, e := range rep.Evidence {
		names = append(names, e.Name)
	}
	head := []string{a.Code, a.Title, rep.Period, i18n.T(lang, "progress."+rep.Status), i18n.T(lang, "state."+rep.State), rep.Narrative, strings.Join(names, "; "), rep.ReportedBy, rep.ReviewedBy}
	header = []string{"actividad", "titulo", "periodo", "estado", "revision", "narrativa", "evidencias", "reportado_por", "revisado_por", "indicador", "valor"}
	for _, ind := range a.Indicators {
		value := ""
		if v, ok := rep.Values[ind.ID]; ok {
			value = strconv.FormatFloat(v, 'f', -1, 64)
		}
		rows = append(rows, append(append([]string{}, head...), ind.Name, value))
	}
	return header, rows
}

// dedupe keeps the first of each value, in order.
func dedupe(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
