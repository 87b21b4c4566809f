package planning

import (
	"encoding/json"
	"testing"

	"sriim/data/seed"
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
	}
	for _, tt := range tests {
		got := ParseTarget(tt.statement, tt.end)
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
				for _, st := range a.Targets {
					n++
					tg := ParseTarget(st, a.EndYear)
					if tg.Year < 2007 || tg.Year > 2011 {
						t.Errorf("%s: target %q parsed to year %d", a.Code, st, tg.Year)
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
