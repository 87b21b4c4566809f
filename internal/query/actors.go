package query

import (
	"net/url"

	"sriim/internal/actors"
	"sriim/internal/httpkit"
)

// Actors reads the list's filters (the page's Spanish names or the API's English ones).
func Actors(q url.Values, api bool) actors.Filter {
	field := func(es string) string {
		if api {
			return ActorAPIParams[es]
		}
		return es
	}
	get := func(es string) string { return q.Get(field(es)) }
	f := actors.Filter{Kind: get("tipo"), Species: get("especie"), District: get("distrito"),
		Certification: get("certificacion"), Q: q.Get("q"), Sort: get("orden"), Inactive: get("inactivos") != ""}
	// A page number that is not one reads as the first page (the page's
	// form refuses it first); per_page, as the default.
	form := httpkit.NewForm(q)
	f.Page, f.PerPage = form.Int(field("pagina"), 0), form.Int("per_page", 0)
	return f
}

// ActorAPIParams names the list page's filters as the API does.
var ActorAPIParams = map[string]string{"tipo": "kind", "especie": "species", "distrito": "district",
	"certificacion": "certification", "orden": "sort", "inactivos": "inactive", "pagina": "page"}
