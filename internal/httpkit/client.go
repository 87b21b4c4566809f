package httpkit

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// client is who sent a request, as far as SRIIM can tell: behind a reverse
// proxy the connection comes from the proxy, and only a proxy in a trusted
// network is believed about the visitor's address (X-Forwarded-For) and
// scheme (X-Forwarded-Proto). Everything that needs the visitor's address
// (login throttling, contact limits, /metrics, logs) or scheme (HSTS,
// Secure cookies, links) asks clientOf, through ClientAddr, IsHTTPS and BaseURL.
type client struct {
	addr  netip.Addr // the visitor's address; invalid when the peer's is unreadable
	https bool       // the visitor reached SRIIM over TLS
	// untrustedForward is set when the request carries forwarding headers
	// from a peer that is not trusted: a proxy nobody configured, or a forger.
	untrustedForward bool
	base             string // this site's address for the visitor: scheme://host
}

// networks is a list of IP networks.
type networks []netip.Prefix

func (n networks) contain(a netip.Addr) bool {
	return a.IsValid() && slices.ContainsFunc(n, func(p netip.Prefix) bool { return p.Contains(a) })
}

// withClient works out the client of each request once, for clientOf.
func (k *Kernel) withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := resolveClient(r, k.trustedProxies)
		if k.publicURL != "" {
			c.base = k.publicURL
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey, c)))
	})
}

// clientOf is the client of r (trusting no proxy when withClient did not run).
func clientOf(r *http.Request) client {
	if c, ok := r.Context().Value(clientKey).(client); ok {
		return c
	}
	return resolveClient(r, nil)
}

// resolveClient reads the client of r, believing forwarding headers only
// from a peer in trusted. Of X-Forwarded-For it takes the right-most
// address that is not itself trusted: each proxy appends the address it was
// reached from, so everything left of that was written by the visitor.
func resolveClient(r *http.Request, trusted networks) client {
	c := client{https: r.TLS != nil}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		c.addr = ap.Addr().Unmap()
	}
	forwarded := r.Header.Values("X-Forwarded-For")
	proto := r.Header.Get("X-Forwarded-Proto")
	if !trusted.contain(c.addr) {
		c.untrustedForward = len(forwarded) > 0 || proto != "" || r.Header.Get("Forwarded") != ""
	} else {
		hops := strings.Split(strings.Join(forwarded, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHop(hops[i])
			if !ok {
				break // a trusted proxy would not write this: keep the last good hop
			}
			c.addr = a
			if !trusted.contain(a) {
				break
			}
		}
		// The proxy nearest the visitor writes the scheme first.
		if p, _, _ := strings.Cut(proto, ","); p != "" {
			c.https = strings.EqualFold(strings.TrimSpace(p), "https")
		}
	}
	scheme := "http"
	if c.https {
		scheme = "https"
	}
	c.base = scheme + "://" + r.Host
	return c
}

// parseHop reads one address of X-Forwarded-For, with or without a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap(), err == nil
}

// ClientAddr is the visitor's address as text, for limits and logs.
func ClientAddr(r *http.Request) string {
	if c := clientOf(r); c.addr.IsValid() {
		return c.addr.String()
	}
	return r.RemoteAddr
}

// IsHTTPS reports whether the visitor reached us over TLS, directly or
// through a trusted TLS-terminating proxy.
func IsHTTPS(r *http.Request) bool { return clientOf(r).https }

// BaseURL is this site's address: the configured public URL, else the
// scheme and host the visitor used (for the pages' absolute links, which
// go back to the same site; never for links sent elsewhere: LinkBase).
func BaseURL(r *http.Request) string { return clientOf(r).base }

// LinkBase is the address to put in a link sent by email for r, and false
// when there is none that is safe. The Host header is the visitor's to
// write, so a link built from it could send the mail's reader to another
// site: without a configured public URL, SRIIM builds one only from a Host
// that names its own listen address (or, listening on loopback, localhost
// with its port).
func (k *Kernel) LinkBase(r *http.Request) (string, bool) {
	if k.publicURL != "" {
		return k.publicURL, true
	}
	if sameListener(r.Host, k.addr) {
		return BaseURL(r), true
	}
	return "", false
}

// sameListener reports whether host (a Host header) names the listen address addr.
func sameListener(host, addr string) bool {
	if host == "" || addr == "" {
		return false
	}
	if strings.EqualFold(host, addr) {
		return true
	}
	h, port, err := net.SplitHostPort(host)
	lh, lport, lerr := net.SplitHostPort(addr)
	if err != nil || lerr != nil || port != lport {
		return false
	}
	return isLoopbackName(lh) && isLoopbackName(h)
}

func isLoopbackName(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}
