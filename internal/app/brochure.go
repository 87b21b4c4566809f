package app

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/i18n"
	"sriim/internal/modules"
	"sriim/internal/offer"
	"sriim/internal/production"
	"sriim/internal/render/brochure"
	"sriim/internal/trade"
)

// runBrochure makes the brochure of the exportable offer (seed activity
// 2.3.4) in Spanish and English from the data, writes it to --out and keeps
// it in the archive: one document per edition, and a new version of its
// files when they came out different.
func runBrochure(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var edition, out string
	cfg, err := parseFlags("brochure", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&edition, "edition", strconv.Itoa(time.Now().Year()), "the edition, a year")
		fs.StringVar(&out, "out", ".", "directory for the PDF files")
	})
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(edition)
	if err != nil || year < 2000 || year > 2100 {
		return fmt.Errorf("--edition: a year, such as 2026")
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	site := cfg.PublicURL
	if site == "" {
		site = "http://" + cfg.Addr
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var files []archive.Upload
	for _, lang := range i18n.Supported {
		data, err := brochureData(ctx, svc, lang)
		if err != nil {
			return err
		}
		// The brochure gives the day it was made: made again the same day
		// from the same data, it is the same file, and no new version.
		data.Edition, data.URL, data.Built = edition, site, time.Now().UTC().Truncate(24*time.Hour)
		pdf, err := brochure.PDF(data)
		if err != nil {
			return err
		}
		name := "brochure-" + edition + "-" + string(lang) + ".pdf"
		if err := os.WriteFile(filepath.Join(out, name), pdf, 0o644); err != nil {
			return err
		}
		files = append(files, archive.Upload{Name: name, R: bytes.NewReader(pdf)})
	}
	doc, err := svc.Archive.Keep(ctx, auth.System, "brochure:"+edition, archive.Input{
		Title: i18n.T(i18n.ES, "brochure.document_title", edition), Kind: "presentation", Year: year, Language: "es",
		Abstract: i18n.T(i18n.ES, "brochure.subtitle", edition), Keywords: []string{"brochure", "oferta exportable", "exportadores"},
		Activities: []string{"2.3.4"}, Access: "public",
	}, files)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "brochure %s: %s and -en.pdf in %s; kept in the archive as document %d (%s)\n",
		edition, "brochure-"+edition+"-es.pdf", out, doc.ID, archive.DocumentPath(doc.ID))
	return nil
}

// brochureData reads the brochure's figures, species and exporters in lang
// from the services, as an anonymous visitor sees them (public contacts only).
func brochureData(ctx context.Context, svc modules.Set, lang i18n.Lang) (brochure.Data, error) {
	data := brochure.Data{Lang: lang}
	series, err := svc.Production.Series(ctx, production.Query{Species: []string{"moluscos"}, Places: []string{"PE-MOQ"}})
	if err != nil {
		return data, err
	}
	// The brochure gives the tonnes landed: the group of series in t.
	if g, ok := series.Unit("t"); ok && len(g.Years) > 0 {
		n := len(g.Years)
		data.Production = brochure.Figure{Value: g.Totals[n-1], Year: g.Years[n-1], Source: series.Series[g.First].Source}
	}
	for _, line := range []string{"loco_congelado", "loco_conserva"} {
		p, _ := trade.ProductLine(line)
		rk, err := svc.Trade.Destinations(ctx, p, 604, 1990, time.Now().Year())
		if err != nil {
			return data, err
		}
		if n := len(rk.Years); n > 0 && rk.Years[n-1] >= data.Exports.Year {
			if rk.Years[n-1] > data.Exports.Year {
				data.Exports = brochure.Figure{Year: rk.Years[n-1], Source: "PROMPEX"}
			}
			data.Exports.Value += rk.World.Values[data.Exports.Year]
		}
	}
	figures, err := svc.Offer.KeyFigures(ctx)
	if err != nil {
		return data, err
	}
	data.Exporters, data.Certified, data.Products = figures.Exporters, figures.CertifiedPlants, figures.Products
	products, err := svc.Offer.Products(ctx, offer.Filter{})
	if err != nil {
		return data, err
	}
	species, err := svc.Reference.Species(ctx)
	if err != nil {
		return data, err
	}
	bySpecies := map[string]*brochure.Species{}
	byActor := map[int64][]string{}
	var ids []int64
	for _, p := range products {
		sp, ok := bySpecies[p.Species]
		if !ok {
			sp = &brochure.Species{Code: p.Species, Name: p.Species}
			for _, s := range species {
				if s.Code == p.Species {
					sp.Name, sp.Scientific = s.Name(lang), s.ScientificName
				}
			}
			bySpecies[p.Species] = sp
		}
		presentation := i18n.T(lang, "presentation."+p.Presentation)
		if !slices.Contains(sp.Presentations, presentation) {
			sp.Presentations = append(sp.Presentations, presentation)
		}
		if p.HSCode != "" && !slices.Contains(sp.HSCodes, p.HSCode) {
			sp.HSCodes = append(sp.HSCodes, p.HSCode)
		}
		name := offer.Localized(p.NameES, p.NameEN, string(lang)).Value
		if name == "" {
			name = sp.Name + ", " + presentation
		}
		if _, ok := byActor[p.ActorID]; !ok {
			ids = append(ids, p.ActorID)
		}
		byActor[p.ActorID] = append(byActor[p.ActorID], name)
	}
	for _, s := range species {
		if sp, ok := bySpecies[s.Code]; ok {
			data.Species = append(data.Species, *sp)
		}
	}
	exporters, err := svc.Actors.Actors(ctx, auth.Principal{}, ids)
	if err != nil {
		return data, err
	}
	today := time.Now()
	for _, a := range exporters {
		e := brochure.Exporter{Name: a.Name, District: a.District, Website: a.Website, Email: a.Email, Phone: a.Phone, Contact: a.ContactName,
			Description: offer.Localized(a.Description, a.DescriptionEN, string(lang)).Value, Products: byActor[a.ID]}
		for _, c := range a.Certifications {
			if c.Valid(today) {
				e.Certifications = append(e.Certifications, brochure.Certification{Kind: i18n.T(lang, "cert."+c.Kind), Number: c.Number, Issuer: c.Issuer, ValidTo: c.ValidTo})
			}
		}
		data.List = append(data.List, e)
	}
	return data, nil
}
