package httpkit

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gorilla/csrf"

	"sriim/internal/errs"
)

// csrfProtect refuses state-changing requests (POST, PUT, DELETE…) that lack
// the form's CSRF token or come from another origin, using gorilla/csrf:
// masked per-request tokens and Origin/Referer checks. The cookie is Secure
// over HTTPS; over plain HTTP (a local install) gorilla is told so.
func (k *Kernel) csrfProtect(next http.Handler) http.Handler {
	opts := func(secure bool) []csrf.Option {
		return []csrf.Option{csrf.Secure(secure), csrf.Path("/"), csrf.CookieName("sriim_csrf"),
			csrf.FieldName("csrf_token"), csrf.SameSite(csrf.SameSiteLaxMode),
			csrf.ErrorHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				k.log.InfoContext(r.Context(), "csrf check failed", "request_id", RequestID(r), "reason", csrf.FailureReason(r))
				k.Fail(w, r, errs.E(errs.Forbidden, "the form expired or did not come from this site: reload the page and try again"))
			}))}
	}
	overTLS := csrf.Protect(k.csrfKey, opts(true)...)(next)
	plain := csrf.Protect(k.csrfKey, opts(false)...)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Static files, health and metrics are read-only and cacheable: no cookie for them.
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if IsHTTPS(r) {
			overTLS.ServeHTTP(w, r)
			return
		}
		plain.ServeHTTP(w, csrf.PlaintextHTTPRequest(r))
	})
}

// CSRFField is the hidden form field that every state-changing form must carry.
func CSRFField(r *http.Request) template.HTML { return csrf.TemplateField(r) }
