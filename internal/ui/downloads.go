package ui

import (
	"bytes"
	"fmt"
	"net/http"

	"sriim/internal/importer"
)

// writeTable sends rows as a CSV or XLSX download.
func (s *Server) writeTable(w http.ResponseWriter, r *http.Request, format, name string, header []string, rows [][]string, numeric map[string]bool) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		err = importer.WriteCSV(&buf, header, rows)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		err = importer.WriteXLSX(&buf, name, header, rows, numeric)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	_, _ = w.Write(buf.Bytes())
}

func writePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, name))
	_, _ = w.Write(b)
}
