package ui

import (
	"context"
	"errors"
	"io"
	"net/http"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/geo"
	"sriim/internal/geo/geofile"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/zones"
)

// An editor uploads a layer (GeoJSON, zipped Shapefile, KML) or closures
// (CSV, XLSX): all of it or nothing, problems by feature and attribute.
func (s *Server) zoneImportRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /zonas/importar", s.zoneImportPage)
	mux.HandleFunc("POST /zonas/importar", s.zoneImport, httpkit.Upload(geofile.MaxBytes, zones.CanImport))
}

// zoneImportView is the import form, with what the last upload did.
type zoneImportView struct {
	Layers  []layerSummary // the layers a file goes into, and closures
	SRS     []geo.SRS
	Layer   string // the slug chosen
	System  string // the system chosen ("" when the file says)
	Report  *zones.ImportReport
	Error   string
	Fields  map[string]string
	Warned  []zoneRow // rights imported with a warning, linked to their pages
	Closure bool      // the report is of closures
}

func (s *Server) zoneImportView(r *http.Request) zoneImportView {
	v := zoneImportView{SRS: geo.Supported, Layer: r.PostFormValue("capa"), System: r.PostFormValue("srs")}
	for _, z := range zoneSlugs {
		l, _ := zones.LayerByID(z.layer)
		v.Layers = append(v.Layers, layerSummary{Slug: z.slug, Title: layerTitle(httpkit.Lang(r), l)})
	}
	return v
}

// mayImportZones answers for whoever may not import zones (the login page,
// or forbidden) and reports whether the request may go on.
func (s *Server) mayImportZones(w http.ResponseWriter, r *http.Request) bool {
	if s.requireLogin(w, r) == nil {
		return false
	}
	if !zones.CanImport(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not import these records"))
		return false
	}
	return true
}

func (s *Server) zoneImportPage(w http.ResponseWriter, r *http.Request) {
	if !s.mayImportZones(w, r) {
		return
	}
	s.render(w, r, http.StatusOK, "zones_import.html", i18n.T(httpkit.Lang(r), "zones.import.title"), s.zoneImportView(r))
}

func (s *Server) zoneImport(w http.ResponseWriter, r *http.Request) {
	if !s.mayImportZones(w, r) {
		return
	}
	v := s.zoneImportView(r)
	title := i18n.T(httpkit.Lang(r), "zones.import.title")
	show := func(status int) { s.render(w, r, status, "zones_import.html", title, v) }
	l, ok := layerOfSlug(v.Layer)
	if !ok {
		v.Error, v.Fields = i18n.T(httpkit.Lang(r), "zones.import.choose"), map[string]string{}
		show(http.StatusUnprocessableEntity)
		return
	}
	var srs geo.SRS
	if v.System != "" {
		var err error
		if srs, err = geo.ParseSRS(v.System); err != nil {
			s.zoneImportFailed(w, r, err, &v, show)
			return
		}
	}
	file, hdr, err := r.FormFile("archivo")
	if err != nil {
		v.Error = i18n.T(httpkit.Lang(r), "import.nofile")
		show(http.StatusUnprocessableEntity)
		return
	}
	defer file.Close()
	var run func(ctx context.Context, p auth.Principal, f io.Reader, name string) (zones.ImportReport, error)
	if l.ID == zones.Closures {
		run, v.Closure = s.Zones.ImportClosures, true
	} else {
		run = func(ctx context.Context, p auth.Principal, f io.Reader, name string) (zones.ImportReport, error) {
			return s.Zones.Import(ctx, p, l.ID, f, name, srs)
		}
	}
	rep, err := run(r.Context(), httpkit.Principal(r), file, hdr.Filename)
	if err != nil {
		s.zoneImportFailed(w, r, err, &v, show)
		return
	}
	v.Report = &rep
	for _, warning := range rep.Warnings {
		v.Warned = append(v.Warned, zoneRow{Code: warning.Code, Href: zoneHref(zones.Rights, warning.Code)})
	}
	show(http.StatusOK)
}

// zoneImportFailed shows a refused file's problems on the form; other errors
// go to the error page.
func (s *Server) zoneImportFailed(w http.ResponseWriter, r *http.Request, err error, v *zoneImportView, show func(int)) {
	var e *errs.Error
	if errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.Forbidden || e.Kind == errs.TooLarge) {
		v.Error, v.Fields = s.k.PageError(r, e)
		show(httpkit.StatusOf(e.Kind))
		return
	}
	s.k.Fail(w, r, err)
}
