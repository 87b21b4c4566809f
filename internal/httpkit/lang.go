package httpkit

import (
	"context"
	"net/http"

	"sriim/internal/i18n"
)

// LangCookie remembers the language a visitor chose with ?lang=.
const LangCookie = "lang"

// withLang picks the interface language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language, then Spanish.
func withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang, chosen := RequestLang(r)
		if chosen {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: string(lang), Path: "/",
				MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: IsHTTPS(r)})
		}
		w.Header().Set("Content-Language", string(lang))
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(WithLang(r.Context(), lang)))
	})
}

// RequestLang is the language a request asks for, and whether it chose it
// with ?lang= just now.
func RequestLang(r *http.Request) (lang i18n.Lang, chosen bool) {
	if lang, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return lang, true
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if lang, ok := i18n.Parse(c.Value); ok {
			return lang, false
		}
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), false
}

// WithLang returns ctx with the interface language set (a report shows in
// its own language).
func WithLang(ctx context.Context, lang i18n.Lang) context.Context {
	return context.WithValue(ctx, langKey, lang)
}

// Lang is the interface language of a request (Spanish when none was set).
func Lang(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.ES
}

// APILang is the language of the API's messages: English, unless
// Accept-Language asks for another that SRIIM speaks. (Kinds and field
// names never change.)
func APILang(r *http.Request) i18n.Lang {
	if lang, ok := i18n.Match(r.Header.Get("Accept-Language")); ok {
		return lang
	}
	return i18n.EN
}
