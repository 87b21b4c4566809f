package httpkit

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientBehindTrustedProxies(t *testing.T) {
	trusted := networks{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, peer, forwardedFor, proto string
		tls                             bool
		addr                            string
		https, untrustedForward         bool
	}{
		{name: "direct visitor", peer: "198.51.100.7:5000", addr: "198.51.100.7"},
		{name: "direct over TLS", peer: "198.51.100.7:5000", tls: true, addr: "198.51.100.7", https: true},
		{name: "forged headers from the internet", peer: "198.51.100.7:5000", forwardedFor: "203.0.113.9", proto: "https",
			addr: "198.51.100.7", untrustedForward: true},
		{name: "trusted proxy", peer: "10.0.0.2:80", forwardedFor: "203.0.113.9", proto: "https", addr: "203.0.113.9", https: true},
		{name: "visitor's own header is left of the proxy's", peer: "10.0.0.2:80", forwardedFor: "1.2.3.4, 203.0.113.9", addr: "203.0.113.9"},
		{name: "a chain of trusted proxies", peer: "10.0.0.2:80", forwardedFor: "203.0.113.9, 10.1.1.1,10.0.0.3", addr: "203.0.113.9"},
		{name: "addresses with ports and IPv6", peer: "[::1]:80", forwardedFor: "[2001:db8::5]:4711", addr: "2001:db8::5"},
		{name: "garbage written by a trusted hop", peer: "10.0.0.2:80", forwardedFor: "203.0.113.9, nonsense", addr: "10.0.0.2"},
		{name: "trusted proxy on plain HTTP", peer: "10.0.0.2:80", forwardedFor: "203.0.113.9", proto: "http", addr: "203.0.113.9"},
		{name: "every hop trusted", peer: "10.0.0.2:80", forwardedFor: "10.9.9.9", addr: "10.9.9.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.peer
			if tt.forwardedFor != "" {
				r.Header.Set("X-Forwarded-For", tt.forwardedFor)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			c := resolveClient(r, trusted)
			if c.addr.String() != tt.addr || c.https != tt.https || c.untrustedForward != tt.untrustedForward {
				t.Errorf("got %s https=%v untrustedForward=%v, want %s https=%v untrustedForward=%v", c.addr, c.https, c.untrustedForward, tt.addr, tt.https, tt.untrustedForward)
			}
		})
	}
}

func TestLinkBaseHostMatching(t *testing.T) {
	for _, tt := range []struct {
		host, addr string
		ok         bool
	}{
		{"127.0.0.1:8080", "127.0.0.1:8080", true},
		{"localhost:8080", "127.0.0.1:8080", true},
		{"[::1]:8080", "127.0.0.1:8080", true},
		{"localhost:9090", "127.0.0.1:8080", false},
		{"evil.example:8080", "127.0.0.1:8080", false},
		{"sriim.example.org", "0.0.0.0:8080", false},
		{"0.0.0.0:8080", ":8080", false},
		{"sriim.example.org:8080", "sriim.example.org:8080", true},
	} {
		if got := sameListener(tt.host, tt.addr); got != tt.ok {
			t.Errorf("sameListener(%q, %q) = %v", tt.host, tt.addr, got)
		}
	}
}
