package planning

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"sriim/data/seed"
	"sriim/internal/errs"
)

func seedPlan(t *testing.T) File {
	t.Helper()
	b, err := seed.Files.ReadFile("plan-pop-moluscos.json")
	if err != nil {
		t.Fatal(err)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		statement string
		end       int
		year      int
		stated    bool
		value     float64
		unit      string
	}{
		{"Al 2009 el 90% de las asociaciones han recibido asistencia técnica.", 2009, 2009, true, 90, "%"},
		{"El año 2008 el 20% de las asociaciones ha recibido asistencia técnica.", 2009, 2008, true, 20, "%"},
		{"Del 2008 al 2010 se amplía cobertura 20 % /año", 2010, 2010, true, 20, "%"},
		{"Al 2010 un 50 % de los criadores y un 80 % de procesadores han modernizado", 2010, 2010, true, 50, "%"},
		{"Hasta el 2010 se han habilitado todas las plantas en operación.", 2010, 2010, true, 0, ""},
		{"Cada semestre se ha emitido reportes de inteligencia de mercados.", 2008, 2008, false, 0, ""},
		{"Actualizaciones anuales.", 2010, 2010, false, 0, ""},
		{"Al 2007 se ha establecido dos Convenios y al 2008 dos más.", 2010, 2007, true, 0, ""},
		{"Los años siguientes se actualiza periódicamente.", 2007, 2016, false, 0, ""},
	}
	for _, tt := range tests {
		got := ParseTarget(tt.statement, tt.end, 2016)
		value := 0.0
		if got.Value != nil {
			value = *got.Value
		}
		if got.Year != tt.year || got.YearStated != tt.stated || value != tt.value || got.Unit != tt.unit {
			t.Errorf("ParseTarget(%q) = %d %v %v %q; want %d %v %v %q", tt.statement, got.Year, got.YearStated, value, got.Unit, tt.year, tt.stated, tt.value, tt.unit)
		}
	}
}

// Every target of the seed plan parses to a year within the plan's reach.
func TestEverySeedTargetHasAYear(t *testing.T) {
	f := seedPlan(t)
	n := 0
	for _, o := range f.Objectives {
		for _, s := range o.Strategies {
			for _, a := range s.Activities {
				if len(a.Targets) == 0 {
					t.Errorf("%s has no target", a.Code)
				}
				for _, ft := range a.Targets {
					n++
					tg := ft.target(a.EndYear, f.EndYear)
					if tg.Year < 2007 || tg.Year > f.EndYear {
						t.Errorf("%s: target %q parsed to year %d", a.Code, ft.Statement, tg.Year)
					}
				}
			}
		}
	}
	if n < 61 {
		t.Fatalf("only %d targets", n)
	}
}

func TestSeedPlanShape(t *testing.T) {
	f := seedPlan(t)
	objectives, strategies, activities := 0, 0, 0
	for _, o := range f.Objectives {
		objectives++
		for _, s := range o.Strategies {
			strategies++
			activities += len(s.Activities)
		}
	}
	if objectives != 4 || strategies != 16 || activities != 61 {
		t.Fatalf("%d objectives, %d strategies, %d activities; want 4, 16, 61", objectives, strategies, activities)
	}
}

func TestIndicatorKind(t *testing.T) {
	for name, want := range map[string]string{"Número de participantes": "count", "Numero de plantas habilitadas.": "count",
		"Número de días de procedimiento de aprobación": "days", "Tiempo del Procedimiento": "days", "Monto de presupuesto": "amount",
		"Documento de diseño": "document", "Ley aprobada": "yes_no", "Base de datos": "document"} {
		if got := IndicatorKind(name); got != want {
			t.Errorf("IndicatorKind(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestCheckTargets(t *testing.T) {
	ninety, twenty := 90.0, 20.0
	a := Activity{Indicators: []Indicator{{ID: 1, Name: "Documento", Kind: "document"}, {ID: 2, Name: "Número de asociaciones", Kind: "count"}},
		Targets: []Target{{Statement: "El año 2008 el 20% …", Year: 2008, Value: &twenty, Unit: "%"}, {Statement: "El año 2009 el 90% …", Year: 2009, Value: &ninety, Unit: "%"},
			{Statement: "Al 2007 se diseña", Year: 2007}}}
	history := map[int64][]IndicatorPoint{2: {{Period: "2008-S1", Value: 12}, {Period: "2008-S2", Value: 25}, {Period: "2010", Value: 95}}}
	got := CheckTargets(a, history, 2009)
	if len(got) != 2 {
		t.Fatalf("%d checks, want the 2 targets with a number", len(got))
	}
	if !got[0].Met || *got[0].Reported != 25 || got[0].Period != "2008-S2" || !got[0].Due {
		t.Errorf("2008 target: %+v", got[0])
	}
	// 2010's 95 is after the 2009 target: it does not count for it.
	if got[1].Met || *got[1].Reported != 25 || got[1].Due {
		t.Errorf("2009 target: %+v", got[1])
	}
	a.Indicators = append(a.Indicators, Indicator{ID: 3, Kind: "count"})
	if CheckTargets(a, history, 2009) != nil {
		t.Error("two measurable indicators: the target's indicator is not known, yet it was compared")
	}
}

func TestPlanFileIsBounded(t *testing.T) {
	// A valid start, then more than the limit of blanks inside the title.
	huge := io.MultiReader(strings.NewReader(`{"code": "X", "title": "`), strings.NewReader(strings.Repeat(" ", MaxFileBytes)), strings.NewReader(`"}`))
	if _, err := ReadFile(huge); !errs.Is(err, errs.TooLarge) || !strings.Contains(err.Error(), "4 MiB") {
		t.Fatalf("a plan file of more than 4 MiB: %v", err)
	}
	if _, err := ReadFile(strings.NewReader(`{"code": "X", "objectives": [[[[`)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a broken plan file: %v", err)
	}
}
