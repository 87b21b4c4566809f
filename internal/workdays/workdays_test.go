package workdays_test

import (
	"context"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"sriim/data/seed"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/workdays"
)

// seedHolidays reads data/seed/holidays-pe.csv.
func seedHolidays(t *testing.T) []workdays.Holiday {
	t.Helper()
	f, err := seed.Files.Open("holidays-pe.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []workdays.Holiday
	for _, r := range recs[1:] {
		out = append(out, workdays.Holiday{Day: r[0], Name: r[1], Kind: r[2], Source: r[3]})
	}
	return out
}

func day(s string) time.Time {
	d, err := time.Parse(workdays.Layout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestBusinessDaysAsLey27444CountsThem(t *testing.T) {
	cal := workdays.NewCalendar(seedHolidays(t))
	for _, tc := range []struct {
		name           string
		filed, decided string
		want           int
	}{
		{"same day", "2025-02-03", "2025-02-03", 0},
		{"the next day", "2025-02-03", "2025-02-04", 1},
		{"Friday to Monday: the weekend does not count", "2025-02-07", "2025-02-10", 1},
		{"a full week", "2025-02-03", "2025-02-10", 5},
		{"Fiestas Patrias on Monday 28 and Tuesday 29 July", "2025-07-25", "2025-07-30", 1},
		{"Fiestas Patrias, and 23 July falls on a Sunday", "2023-07-21", "2023-07-31", 5},
		{"28-29 July over a weekend and a Monday", "2024-07-26", "2024-07-29", 0},
		{"the Air Force's 23 July, a Wednesday since 2023", "2025-07-22", "2025-07-24", 1},
		{"across the new year", "2024-12-30", "2025-01-03", 3},
		{"across Christmas and the new year", "2025-12-23", "2026-01-05", 7},
		{"Holy Thursday and Good Friday 2024", "2024-03-27", "2024-04-01", 1},
		{"Holy Thursday and Good Friday 2025", "2025-04-16", "2025-04-21", 1},
		{"8 and 9 December since 2022", "2025-12-05", "2025-12-10", 1},
		{"9 December was a business day before 2022", "2021-12-07", "2021-12-10", 2},
		{"decided before filing", "2025-02-10", "2025-02-03", 0},
	} {
		got, err := cal.Between(day(tc.filed), day(tc.decided))
		if err != nil || got != tc.want {
			t.Errorf("%s: Between(%s, %s) = %d, %v; want %d", tc.name, tc.filed, tc.decided, got, err, tc.want)
		}
	}
	if _, err := cal.Between(day("2030-12-20"), day("2031-01-10")); !errors.As(err, new(workdays.UncoveredError)) {
		t.Errorf("a count into 2031, which the calendar lacks, gives %v; want UncoveredError", err)
	}
	if got, err := cal.Add(day("2024-12-30"), 3); err != nil || got.Format(workdays.Layout) != "2025-01-03" {
		t.Errorf("3 business days from 2024-12-30 end on %v, %v; want 2025-01-03", got, err)
	}
	if got, err := cal.Add(day("2025-07-25"), 1); err != nil || got.Format(workdays.Layout) != "2025-07-30" {
		t.Errorf("1 business day from 2025-07-25 ends on %v, %v; want 2025-07-30", got, err)
	}
	if n := workdays.CalendarDays(day("2024-12-30"), day("2025-01-03")); n != 4 {
		t.Errorf("calendar days = %d, want 4", n)
	}
}

// easter is Easter Sunday of the Gregorian calendar (the anonymous
// algorithm, as Meeus gives it).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	return time.Date(y, time.Month((h+l-7*m+114)/31), (h+l-7*m+114)%31+1, 0, 0, 0, 0, time.UTC)
}

// TestHolidaysFileIsComplete checks data/seed/holidays-pe.csv: every year it
// covers has Decreto Legislativo 713's days (Holy Thursday and Good Friday
// in the week of Easter), and the later laws' days from their first year,
// each row with its legal source.
func TestHolidaysFileIsComplete(t *testing.T) {
	for y, want := range map[int]string{2000: "2000-04-23", 2019: "2019-04-21", 2024: "2024-03-31", 2025: "2025-04-20", 2030: "2030-04-21"} {
		if got := easter(y).Format(workdays.Layout); got != want {
			t.Fatalf("easter(%d) = %s, want %s", y, got, want)
		}
	}
	byDay := map[string]workdays.Holiday{}
	for _, h := range seedHolidays(t) {
		if _, dup := byDay[h.Day]; dup {
			t.Errorf("%s twice", h.Day)
		}
		if h.Source == "" || h.Kind != "feriado_nacional" {
			t.Errorf("%s: kind %q, source %q", h.Day, h.Kind, h.Source)
		}
		byDay[h.Day] = h
	}
	for y := 2000; y <= 2030; y++ {
		e := easter(y)
		want := map[string]string{
			e.AddDate(0, 0, -3).Format(workdays.Layout): "Jueves Santo",
			e.AddDate(0, 0, -2).Format(workdays.Layout): "Viernes Santo",
		}
		for md, name := range map[string]string{"01-01": "Año Nuevo", "05-01": "Día del Trabajo", "06-29": "San Pedro y San Pablo",
			"07-28": "Fiestas Patrias", "07-29": "Fiestas Patrias", "08-30": "Santa Rosa de Lima", "10-08": "Combate de Angamos",
			"11-01": "Todos los Santos", "12-08": "Inmaculada Concepción", "12-25": "Navidad del Señor"} {
			want[time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")+"-"+md] = name
		}
		for _, later := range []struct {
			md, name, law string
			from          int
		}{{"06-07", "Batalla de Arica y Día de la Bandera", "31788", 2024}, {"07-23", "Día de la Fuerza Aérea del Perú", "31822", 2023},
			{"08-06", "Batalla de Junín", "31530", 2022}, {"12-09", "Batalla de Ayacucho", "31381", 2022}} {
			d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-" + later.md
			h, ok := byDay[d]
			if y < later.from && ok {
				t.Errorf("%s is a holiday before Ley %s made it one", d, later.law)
			}
			if y >= later.from {
				if !ok || !strings.Contains(h.Source, later.law) {
					t.Errorf("%s: %+v, want %s by Ley %s", d, h, later.name, later.law)
				}
				delete(byDay, d)
			}
		}
		for d, name := range want {
			h, ok := byDay[d]
			if !ok || h.Name != name || !strings.Contains(h.Source, "713") {
				t.Errorf("%s: %+v, want %s by Decreto Legislativo 713", d, h, name)
			}
			delete(byDay, d)
		}
	}
	for d, h := range byDay {
		t.Errorf("%s (%s) is not a holiday of the laws", d, h.Name)
	}
}

func TestAdministratorsEditTheCalendar(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := workdays.New(d)
		admin := auth.Principal{UserID: 1, Email: "mesa@example.org", Role: auth.Admin}
		editor := auth.Principal{UserID: 2, Email: "ed@example.org", Role: auth.Editor, Institutions: []int64{1}}
		f, _ := seed.Files.Open("holidays-pe.csv")
		defer f.Close()
		if _, err := svc.Import(ctx, editor, f, "holidays-pe.csv"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an editor imports the calendar: %v, want forbidden", err)
		}
		f2, _ := seed.Files.Open("holidays-pe.csv")
		defer f2.Close()
		n, err := svc.Import(ctx, admin, f2, "holidays-pe.csv")
		if err != nil || n != 405 {
			t.Fatalf("import: %d, %v; want 405 days", n, err)
		}
		cal, err := svc.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := cal.Between(day("2025-11-12"), day("2025-11-17"))
		// A day off decreed for the public sector (a Friday) is no business day either.
		off := workdays.Holiday{Day: "14/11/2025", Name: "Día no laborable", Kind: "no_laborable", Source: "Decreto supremo (ejemplo de prueba)"}
		if _, err := svc.Put(ctx, editor, off); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an editor adds a day off: %v, want forbidden", err)
		}
		h, err := svc.Put(ctx, admin, off)
		if err != nil || h.Day != "2025-11-14" || h.Kind != "non_working" || h.Version != 1 {
			t.Fatalf("put: %+v, %v", h, err)
		}
		cal, _ = svc.Calendar(ctx)
		if after, _ := cal.Between(day("2025-11-12"), day("2025-11-17")); after != before-1 {
			t.Errorf("with the day off, %d business days; want %d", after, before-1)
		}
		h.Name = "Día no laborable (sector público)"
		if _, err := svc.Put(ctx, admin, h); err != nil {
			t.Fatal(err)
		}
		h.Name = "stale"
		if _, err := svc.Put(ctx, admin, h); !errs.Is(err, errs.Conflict) {
			t.Errorf("a change based on version 1 of version 2: %v, want conflict", err)
		}
		if err := svc.Delete(ctx, admin, "2025-11-14", 2); err != nil {
			t.Fatal(err)
		}
		list, _ := svc.Holidays(ctx, 2025)
		if len(list) != 16 {
			t.Errorf("2025 has %d holidays, want 16", len(list))
		}
		if _, err := svc.Put(ctx, admin, workdays.Holiday{Day: "2025-13-01", Kind: "otro"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("an invalid holiday: %v", err)
		}
	})
}

// TestHolidayFileProblemsInSpanish: a Spanish page or API answer names what
// is wrong with a holidays file in Spanish.
func TestHolidayFileProblemsInSpanish(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		admin := auth.Principal{UserID: 1, Email: "mesa@example.org", Role: auth.Admin}
		file := "fecha,nombre,tipo,fuente\n2030-01-01,Año Nuevo,feriado_nacional,D. Leg. 713\n2030-01-01,Año Nuevo,feriado_nacional,D. Leg. 713\n" +
			"2030-13-01,Otro,feriado_nacional,\n"
		_, err := workdays.New(d).Import(context.Background(), admin, strings.NewReader(file), "feriados.csv")
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid {
			t.Fatalf("import: %v; want invalid", err)
		}
		message, fields := i18n.ErrorText(i18n.ES, e)
		want := map[string]string{
			"fila 3, columna fecha":  "repite el día de la fila 2",
			"fila 4, columna fecha":  "una fecha (AAAA-MM-DD)",
			"fila 4, columna fuente": "obligatorio: la norma que declara feriado el día",
		}
		if message != "el archivo tiene 3 problemas; no se importó nada" || !reflect.DeepEqual(fields, want) {
			t.Errorf("in Spanish: %q %q", message, fields)
		}
	})
}
