package prices_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/planning"
	"sriim/internal/prices"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

var ctx = context.Background()

type fixture struct {
	d       *db.DB
	svc     *prices.Service
	exports *exports.Service
	editor  auth.Principal
	member  auth.Principal
}

// setup loads the seed (species, places, institutions, the CPI and the
// seed's prices) and gives the prices service a mailer when one is given.
func setup(t *testing.T, d *db.DB, mailer mail.Sender) fixture {
	t.Helper()
	acc := accounts.New(d)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, t.TempDir()), Trade: trade.New(d)}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, err := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	if err != nil {
		t.Fatal(err)
	}
	var actor int64
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO actors (key, name, search_text, registered_at, created_at, updated_at)
			VALUES ('asoc-buzos', 'Asociación de buzos', 'asociacion de buzos', $1, $1, $1) RETURNING id`, time.Now().UTC()).Scan(&actor)
	}); err != nil {
		t.Fatal(err)
	}
	u, err := acc.CreateUser(ctx, auth.System, accounts.UserInput{Email: "buzo@example.org", Name: "Buzo", Password: "una clave larga 123",
		Lang: "es", Role: auth.Member, ActorID: actor, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	ex := exports.New(d)
	var svc *prices.Service
	if mailer != nil {
		svc = prices.New(d, ex, mailer)
	} else {
		svc = prices.New(d, ex, nil)
	}
	return fixture{d: d, svc: svc, exports: ex,
		editor: auth.Principal{UserID: 100, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}, ReferenceGrant: true},
		member: auth.Principal{UserID: u.ID, Email: u.Email, Role: auth.Member, ActorID: actor}}
}

func num(v float64) *float64 { return &v }

func (f fixture) add(t *testing.T, p prices.Price) prices.Price {
	t.Helper()
	if p.Source == "" {
		p.Source = "DIREPRO Ilo, encuesta de precios en playa"
	}
	if p.Currency == "" {
		p.Currency = "PEN"
	}
	out, err := f.svc.Create(ctx, f.editor, p)
	if err != nil {
		t.Fatalf("add %+v: %v", p, err)
	}
	return out
}

func period(s string) exports.Period {
	p, err := exports.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

func points(s prices.Series) string {
	b, _ := json.Marshal(s.Points)
	return string(b)
}

func TestWeightedAndPlainMonthlyMeans(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		beach := prices.Price{Species: "SNE", Level: "playa", Place: "DPA-ILO", Year: 2024, Month: 3}
		for i, pr := range []struct {
			month, day int
			price      float64
			qty        *float64
		}{{3, 4, 10, num(100)}, {3, 18, 12, num(300)}, {4, 2, 10, num(100)}, {4, 20, 14, nil}} {
			p := beach
			p.Month, p.Day, p.Price, p.QuantityKg, p.SourceRef = pr.month, pr.day, pr.price, pr.qty, strconv.Itoa(i)
			f.add(t, p)
		}
		s, err := f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "playa", Place: "DPA-ILO", From: period("2024-01"), To: period("2024-12"), By: "month"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := points(s), `[{"period":"2024-03","mean":11.5,"n":2,"method":"weighted","quantity_kg":400,"min":10,"max":12},`+
			`{"period":"2024-04","mean":12,"n":2,"method":"plain","min":10,"max":14}]`; got != want {
			t.Errorf("monthly means =\n%s\nwant\n%s", got, want)
		}
		s, _ = f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "beach", Place: "DPA-ILO", From: period("2024"), To: period("2024"), By: "year"})
		if got, want := points(s), `[{"period":"2024","mean":11.5,"n":4,"method":"plain","min":10,"max":14}]`; got != want {
			t.Errorf("yearly mean = %s; want %s", got, want)
		}
	})
}

// cpi chains the CPI data file's monthly changes as LoadCPI does.
func cpi(t *testing.T) map[[2]int]float64 {
	t.Helper()
	file, err := os.Open("../../data/seed/cpi-lima.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	recs, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]int]float64{}
	level := 100.0
	for _, rec := range recs[1:] {
		y, _ := strconv.Atoi(rec[0])
		m, _ := strconv.Atoi(rec[1])
		v, _ := strconv.ParseFloat(rec[2], 64)
		level *= 1 + v/100
		out[[2]int{y, m}] = level
		if !strings.HasPrefix(rec[3], "INEI") {
			t.Errorf("CPI %d-%d: source %q is not INEI", y, m, rec[3])
		}
	}
	return out
}

func TestConstantSolesFromTheCPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2010, Month: 1, Day: 15, Price: 10})
		f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2020, Month: 6, Price: 20})
		index := cpi(t)
		var avg2020 float64
		for m := 1; m <= 12; m++ {
			avg2020 += index[[2]int{2020, m}] / 12
		}
		s, err := f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "beach", Place: "DPA-ILO", From: period("2010-01"), To: period("2020-12"), ConstantYear: 2020})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Points) != 2 {
			t.Fatalf("points = %s", points(s))
		}
		for i, want := range []float64{10 * avg2020 / index[[2]int{2010, 1}], 20 * avg2020 / index[[2]int{2020, 6}]} {
			p := s.Points[i]
			if p.Mean == nil || math.Abs(*p.Mean-math.Round(want*100)/100) > 0.005 || p.Nominal == nil {
				t.Errorf("%s in soles of 2020 = %v (nominal %v); want %.2f", p.Period, p.Mean, p.Nominal, want)
			}
		}
		// Lima's CPI rose about 36 % from January 2010 to 2020: the 2010 price is worth more.
		if *s.Points[0].Mean < 13 || *s.Points[0].Mean > 14.2 {
			t.Errorf("S/ 10 of January 2010 = S/ %v of 2020", *s.Points[0].Mean)
		}
		if _, err := f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "export_fob", From: period("2010"), To: period("2020"), ConstantYear: 2020}); !errs.Is(err, errs.Invalid) {
			t.Errorf("constant soles of a US$ series: %v", err)
		}
		_, err = f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "beach", From: period("2010"), To: period("2020"), ConstantYear: 1890})
		var e *errs.Error
		if !errors.As(err, &e) || e.Fields["constant"] == "" {
			t.Errorf("soles of a year the CPI lacks: %v; want the constant year refused", err)
		}
	})
}

// TestIndexFileProblemsInSpanish: what is wrong with an index file reads
// in Spanish on a Spanish page or API answer, never in encoding/csv's words.
func TestIndexFileProblemsInSpanish(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		for _, c := range []struct {
			name, file, message string
			fields              map[string]string
		}{
			{"a stray quote", "anio,mes,valor,fuente\n2024,3,3\"7,BCRP\n", "el archivo no es un CSV válido",
				map[string]string{"fila 2": "unas comillas dentro de una celda que no empieza con comillas"}},
			{"a short row", "anio,mes,valor,fuente\n2024,3,3.7\n", "el archivo no es un CSV válido",
				map[string]string{"fila 2": "la fila tiene otro número de celdas que la cabecera"}},
			{"another header", "anio,valor\n2024,3.7\n", "archivo del índice: la cabecera debe ser anio,mes,valor,fuente", nil},
			{"a bad month", "anio,mes,valor,fuente\n2024,13,3.7,BCRP\n", "archivo del índice, fila 2: se necesitan un año, un mes (0 para el año), un número y una fuente", nil},
		} {
			_, err := f.svc.LoadIndex(ctx, f.editor, prices.ExchangeSeries, strings.NewReader(c.file))
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid {
				t.Errorf("%s: %v; want invalid", c.name, err)
				continue
			}
			if message, fields := i18n.ErrorText(i18n.ES, e); message != c.message || !reflect.DeepEqual(fields, c.fields) {
				t.Errorf("%s: in Spanish %q %q; want %q %q", c.name, message, fields, c.message, c.fields)
			}
		}
	})
}

func TestSeedPricesAreARangeWithTheirSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		for _, sp := range []string{"SNE", "QDM"} {
			s, err := f.svc.Series(ctx, prices.SeriesQuery{Species: sp, Level: "playa", Place: "PE-MOQ", From: period("2006-01"), To: period("2006-12")})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Points) != 0 || len(s.Apart) != 1 {
				t.Fatalf("%s: points %s, apart %+v; want the range apart", sp, points(s), s.Apart)
			}
			p := s.Apart[0]
			if p.Price != 8 || p.PriceTo == nil || *p.PriceTo != 12 || p.Currency != "PEN" || p.SourceRef != "2.4.1 Mercado Nacional y Regional" ||
				!strings.Contains(p.Source, "MINCETUR 2006") {
				t.Errorf("%s: seed price = %+v", sp, p)
			}
		}
	})
}

func TestImportPricesAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		file := "Especie,Nivel,Lugar,Fecha,Moneda,Precio,Cantidad_kg,Fuente,Referencia\n" +
			"SNE,playa,DPA-ILO,05/03/2024,S/,\"10,5\",120,DIREPRO Ilo,lote 1\n" +
			"SNE,mayorista,DPA-ILO,2024-03,S/,18,,DIREPRO Ilo,\n" +
			"QDM,exportacion_fob,JPN,2024-03-10,US$,9.2,500,SUNAT,\n"
		rep, err := f.svc.Import(ctx, f.editor, strings.NewReader(file), "precios.csv")
		if err != nil || rep.Created != 3 {
			t.Fatalf("import = %+v, %v", rep, err)
		}
		again, err := f.svc.Import(ctx, f.editor, strings.NewReader(file), "precios.csv")
		if err != nil || again.Unchanged != 3 || again.Created != 0 {
			t.Errorf("the same file again = %+v, %v; want all unchanged", again, err)
		}
		bad := file + "SNE,playa,Luna,31/02/2024,soles,-1,,DIREPRO Ilo,x\n"
		_, err = f.svc.Import(ctx, f.editor, strings.NewReader(strings.Replace(bad, "\"10,5\"", "11", 1)), "precios.csv")
		var e *errs.Error
		if !errors.As(err, &e) || e.Fields["fila 5, columna fecha"] == "" {
			t.Fatalf("a bad row = %v; want its date named", err)
		}
		p, _ := f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "beach", Place: "DPA-ILO", From: period("2024-03"), To: period("2024-03")})
		if got := points(p); !strings.Contains(got, `"mean":10.5`) {
			t.Errorf("after a failed import the price changed: %s", got)
		}
		if _, err := f.svc.Import(ctx, f.member, strings.NewReader(file), "precios.csv"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a member imports prices: %v", err)
		}
	})
}

func TestEditsAreAuthorisedVersionedAndAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		if _, err := f.svc.Create(ctx, f.member, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Currency: "PEN", Price: 9, Source: "x"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a member records a price: %v", err)
		}
		p := f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Month: 5, Price: 9})
		p.Price = 9.5
		upd, err := f.svc.Update(ctx, f.editor, p.ID, p)
		if err != nil || upd.Version != 2 {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		p.Price = 10 // based on version 1
		if _, err := f.svc.Update(ctx, f.editor, p.ID, p); !errs.Is(err, errs.Conflict) {
			t.Errorf("a stale update: %v; want conflict", err)
		}
		var n int
		if err := d.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE entity = 'price' AND entity_id = $1", strconv.FormatInt(p.ID, 10)).Scan(&n); err != nil || n != 2 {
			t.Errorf("audit entries = %d (%v); want the create and the update", n, err)
		}
		if _, err := f.svc.Create(ctx, f.editor, prices.Price{Species: "XXX", Level: "cielo", Place: "Luna", Year: 2024, Currency: "EUR", Price: -1}); !errs.Is(err, errs.Invalid) {
			t.Errorf("an invalid price: %v", err)
		}
	})
}

func TestExportUnitValuesAndMargin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		file := "RUC,SUBPARTIDA,PAIS DESTINO,FOB US$,PESO NETO,FECHA,DEPARTAMENTO\n" +
			"20000000010,0307992000,JAPON,3000,200,05/03/2024,MOQUEGUA\n" +
			"20000000010,0307992000,JAPON,1000,100,20/03/2024,MOQUEGUA\n" +
			"20000000028,1605901000,HONG KONG,600,100,20/03/2024,TACNA\n" +
			"20000000028,0307590000,HONG KONG,999,1,20/03/2024,TACNA\n" // octopus: not locos
		b, err := f.exports.Start(ctx, f.editor, "2024.csv", "SUNAT")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.exports.Import(ctx, f.editor, b, strings.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		s, err := f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "exportacion_fob", From: period("2024-01"), To: period("2024-12")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := points(s), `[{"period":"2024-03","mean":11.5,"n":3,"method":"weighted","quantity_kg":400,"min":11.5,"max":11.5}]`; got != want {
			t.Errorf("export unit values =\n%s\nwant\n%s", got, want)
		}
		if len(s.Sources) != 1 || s.Sources[0] != prices.ExportSource {
			t.Errorf("sources = %v", s.Sources)
		}
		s, _ = f.svc.Series(ctx, prices.SeriesQuery{Species: "SNE", Level: "export_fob", Place: "JPN", Presentation: "frozen", From: period("2024-03"), To: period("2024-03")})
		if got := points(s); !strings.Contains(got, `"mean":13.33,"n":2`) {
			t.Errorf("frozen locos to Japan = %s", got)
		}
		f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Month: 3, Price: 25})
		if _, err := f.svc.LoadIndex(ctx, f.editor, prices.ExchangeSeries, strings.NewReader("anio,mes,valor,fuente\n2024,3,3.7,BCRP (prueba)\n")); err != nil {
			t.Fatal(err)
		}
		m, err := f.svc.Margin(ctx, "SNE", "DPA-ILO", "", period("2024-01"), period("2024-12"), "month")
		if err != nil {
			t.Fatal(err)
		}
		b2, _ := json.Marshal(m)
		if got, want := string(b2), `[{"period":"2024-03","beach":25,"export_fob":11.5,"exchange_rate":3.7,"export_pen":42.55,"margin":17.55,"ratio":1.7}]`; got != want {
			t.Errorf("margin = %s; want %s", got, want)
		}
	})
}

// smtpSink is a local SMTP server that keeps what it is sent.
type smtpSink struct {
	mu   sync.Mutex
	mail []string
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *smtpSink
	to   string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.sink.mu.Lock()
	s.sink.mail = append(s.sink.mail, "To "+s.to+"\n"+string(b))
	s.sink.mu.Unlock()
	return err
}
func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }

func (s *smtpSink) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mail...)
}

func startSMTP(t *testing.T) (*smtpSink, *mail.SMTP) {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	m, err := mail.NewSMTP("smtp://" + ln.Addr().String() + "?from=sriim@example.org")
	if err != nil {
		t.Fatal(err)
	}
	return sink, m
}

func TestAlertIsSentOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sink, mailer := startSMTP(t)
		f := setup(t, d, mailer)
		if _, err := f.svc.Subscribe(ctx, auth.Principal{}, "SNE", "DPA-ILO", 10); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("an anonymous subscription: %v", err)
		}
		if _, err := f.svc.Subscribe(ctx, f.member, "SNE", "PE-MOQ", 10); !errs.Is(err, errs.Invalid) {
			t.Errorf("an alert on a region, not a landing site: %v", err)
		}
		if _, err := f.svc.Subscribe(ctx, f.member, "SNE", "DPA-ILO", 10); err != nil {
			t.Fatal(err)
		}
		f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Month: 2, Day: 10, Price: 10})
		f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Month: 3, Day: 3, Price: 10.5, SourceRef: "a"}) // +5 %
		if got := sink.sent(); len(got) != 0 {
			t.Fatalf("a 5 %% move sent %d mails", len(got))
		}
		f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Month: 3, Day: 20, Price: 13.5, SourceRef: "b"})       // mean 12: +20 %
		last := f.add(t, prices.Price{Species: "SNE", Level: "beach", Place: "DPA-ILO", Year: 2024, Month: 3, Day: 25, Price: 12, SourceRef: "c"}) // still +20 %
		// An edit (the web's price form) that keeps the month's move sends nothing more.
		last.Price = 13
		if _, err := f.svc.Update(ctx, f.editor, last.ID, last); err != nil {
			t.Fatal(err)
		}
		got := sink.sent()
		if len(got) != 1 {
			t.Fatalf("sent %d mails; want 1", len(got))
		}
		if !strings.Contains(got[0], "To buzo@example.org") || !strings.Contains(got[0], "+20.0 %") {
			t.Errorf("mail =\n%s", got[0])
		}
		f.add(t, prices.Price{Species: "SNE", Level: "wholesale", Place: "DPA-ILO", Year: 2024, Month: 4, Price: 30})
		if len(sink.sent()) != 1 {
			t.Errorf("a wholesale price set off a beach alert")
		}
	})
}

func TestSeedFiguresAgreeWithTheFacts(t *testing.T) {
	file, err := os.Open("../../data/seed/facts.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	recs, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, rec := range recs {
		if rec[1] == "2.4.1 Mercado Nacional y Regional" && rec[2] == "Precio del chanque y del pulpo" {
			found++
			if rec[3] != "8" || rec[4] != "12" || rec[5] != "soles/kg" {
				t.Errorf("facts.csv: %v; the prices data file says S/ 8 to 12 per kg", rec)
			}
		}
	}
	if found != 1 {
		t.Errorf("facts.csv has %d rows for the chanque and pulpo price", found)
	}
}

func TestListGivesTheLatestFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		for i, month := range []int{2, 5, 3} {
			f.add(t, prices.Price{Species: "SNE", Level: "playa", Place: "DPA-ILO", Year: 2024, Month: month, Price: float64(10 + i), SourceRef: strconv.Itoa(i)})
		}
		f.add(t, prices.Price{Species: "SNE", Level: "mayorista", Place: "DPA-ILO", Year: 2024, Month: 9, Price: 20})
		list, err := f.svc.List(ctx, prices.ListQuery{Species: "SNE", Level: "playa", Place: "DPA-ILO", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Date() != "2024-05" || list[1].Date() != "2024-03" {
			t.Errorf("latest beach prices = %+v; want May then March", list)
		}
		all, _ := f.svc.List(ctx, prices.ListQuery{Species: "SNE"})
		if len(all) == 0 || all[0].Level != "wholesale" {
			t.Errorf("every level: first %+v; want September's wholesale price", all)
		}
		if _, err := f.svc.List(ctx, prices.ListQuery{Level: "subasta"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown level: %v", err)
		}
	})
}

func TestFromFormReadsTheTemplatesColumns(t *testing.T) {
	form := map[string]string{"especie": "sne", "presentacion": "fresco", "nivel": "playa", "lugar": "DPA-ILO", "fecha": "15/03/2024",
		"moneda": "S/", "precio": "10,5", "cantidad_kg": " 120 ", "fuente": "DIREPRO"}
	p, err := prices.FromForm(func(k string) string { return form[k] })
	if err != nil || p.Species != "SNE" || p.Presentation != "fresh" || p.Price != 10.5 || p.QuantityKg == nil || *p.QuantityKg != 120 ||
		p.Date() != "2024-03-15" || p.Currency != "PEN" {
		t.Errorf("FromForm = %+v, %v", p, err)
	}
	form["precio"], form["fecha"] = "diez", "marzo"
	_, err = prices.FromForm(func(k string) string { return form[k] })
	var e *errs.Error
	if !errors.As(err, &e) || e.Fields["precio"] == "" || e.Fields["fecha"] == "" {
		t.Errorf("bad price and date: %v", err)
	}
}
