// Package config turns command-line flags and SRIIM_* environment variables
// into a validated Config. A flag given on the command line wins over the
// environment, which wins over the default.
package config

import (
	"flag"
	"log/slog"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// Config is what every subcommand needs to reach the database and the network.
type Config struct {
	Addr     string     // listen address of `serve`
	DB       string     // "sqlite:PATH" or a postgres:// URL
	DataDir  string     // where the embedded database and uploads live
	LogLevel slog.Level // debug, info, warn, error
	SMTP     string     // smtp://user:password@host:port?from=address, or empty for no email
	// PublicURL is SRIIM's address as people reach it ("https://sriim.example.org"),
	// for links sent by email; empty when not configured.
	PublicURL string
	// TrustedProxies are the networks whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed (reverse proxies).
	TrustedProxies []netip.Prefix
	// MetricsNetworks may read /metrics besides loopback; MetricsToken (from
	// the environment only, so that it is not in the process list) is a bearer
	// token that may read it from anywhere.
	MetricsNetworks []netip.Prefix
	MetricsToken    string
	Lang            i18n.Lang // the language of the command's messages
	// MaxUpload bounds an upload's body (trade files, spreadsheets, photos,
	// evidence), only for a logged-in user on an upload route; every other
	// request body is bounded to far less.
	MaxUpload int64
	// Tiles is the tile server of the optional slippy map on /zonas; the
	// zero value (none configured) leaves the SVG map alone.
	Tiles Tiles
}

// Tiles is a tile server the administrator configures for the zones
// page's slippy map (Leaflet).
type Tiles struct {
	// URL is a Leaflet URL template, such as
	// https://{s}.tile.example.org/{z}/{x}/{y}.png.
	URL string
	// Attribution is the credit the tile server asks for, as plain text.
	Attribution string
	// Source is the servers of URL as a Content-Security-Policy source
	// ("https://*.tile.example.org"): the only origin the page may load
	// images from besides its own.
	Source string
}

// DefaultMaxUpload is --max-upload's default: room for a ten-million-row
// Comtrade file (about 1.2 GB as CSV).
const DefaultMaxUpload = 2 << 30

// Register declares the shared flags on fs and returns a function that,
// after fs.Parse, resolves them against the environment and validates them.
func Register(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	addr := fs.String("addr", env("SRIIM_ADDR", "127.0.0.1:8080"), "listen address (env SRIIM_ADDR)")
	dsn := fs.String("db", env("SRIIM_DB", ""), "database: sqlite:PATH or postgres://… (env SRIIM_DB; default sqlite:DATA-DIR/sriim.db)")
	dataDir := fs.String("data-dir", env("SRIIM_DATA_DIR", "data"), "directory for the embedded database and files (env SRIIM_DATA_DIR)")
	level := fs.String("log-level", env("SRIIM_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env SRIIM_LOG_LEVEL)")
	smtp := fs.String("smtp", env("SRIIM_SMTP", ""), "SMTP server for email, smtp://user:password@host:587?from=address (env SRIIM_SMTP)")
	publicURL := fs.String("public-url", env("SRIIM_PUBLIC_URL", ""), "SRIIM's public address, for links in emails, e.g. https://sriim.example.org (env SRIIM_PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", env("SRIIM_TRUSTED_PROXIES", ""), "reverse proxies whose X-Forwarded-For/-Proto are believed: comma-separated CIDRs (env SRIIM_TRUSTED_PROXIES)")
	metricsNets := fs.String("metrics-networks", env("SRIIM_METRICS_NETWORKS", ""), "networks besides loopback that may read /metrics: comma-separated CIDRs (env SRIIM_METRICS_NETWORKS)")
	lang := fs.String("lang", string(DefaultLang(getenv)), "language of the messages: es or en (env SRIIM_LANG; default: the locale's, else es)")
	tiles := fs.String("map-tiles", env("SRIIM_MAP_TILES", ""), "tile server of the optional slippy map on /zonas, a URL template such as https://{s}.tile.example.org/{z}/{x}/{y}.png; empty: the SVG map only (env SRIIM_MAP_TILES)")
	attribution := fs.String("map-attribution", env("SRIIM_MAP_ATTRIBUTION", ""), "the credit the tile server asks for, plain text, e.g. '© OpenStreetMap contributors'; required with --map-tiles (env SRIIM_MAP_ATTRIBUTION)")
	maxUpload := fs.String("max-upload", env("SRIIM_MAX_UPLOAD", "2GiB"), "largest upload a logged-in user may send, in bytes or with KiB, MiB or GiB (env SRIIM_MAX_UPLOAD)")
	return func() (Config, error) {
		c := Config{Addr: *addr, DB: *dsn, DataDir: *dataDir, SMTP: *smtp, MetricsToken: getenv("SRIIM_METRICS_TOKEN")}
		var ok bool
		if c.Lang, ok = i18n.Parse(*lang); !ok {
			return c, errs.E(errs.Invalid, "--lang: %q is not one of %s", *lang, langList())
		}
		var err error
		if c.PublicURL, err = parsePublicURL(*publicURL); err != nil {
			return c, err
		}
		if c.Tiles, err = parseTiles(*tiles, *attribution); err != nil {
			return c, err
		}
		if c.TrustedProxies, err = parseNetworks("--trusted-proxies", *proxies); err != nil {
			return c, err
		}
		if c.MetricsNetworks, err = parseNetworks("--metrics-networks", *metricsNets); err != nil {
			return c, err
		}
		if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
			return c, errs.E(errs.Invalid, "--log-level: %q is not one of debug, info, warn, error", *level)
		}
		if c.MaxUpload, err = ParseSize(*maxUpload); err != nil || c.MaxUpload < 1<<20 {
			return c, errs.E(errs.Invalid, "--max-upload: %q is not a size of at least 1MiB, such as 500MiB or 2GiB", *maxUpload)
		}
		if c.DataDir == "" {
			return c, errs.E(errs.Invalid, "--data-dir must not be empty")
		}
		if c.DB == "" {
			c.DB = "sqlite:" + filepath.Join(c.DataDir, "sriim.db")
		}
		if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
			return c, errs.E(errs.Invalid, "--db: %q must start with sqlite: or postgres://", c.DB)
		}
		return c, nil
	}
}

// parseNetworks reads comma-separated CIDRs; a bare address is a network of one.
func parseNetworks(flag, list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil {
				return nil, errs.E(errs.Invalid, "%s: %q is not a network such as 10.0.0.0/8 or an address", flag, item)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parsePublicURL checks an http(s) address with a host and no query, and
// returns it without a trailing slash.
func parsePublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errs.E(errs.Invalid, "--public-url: %q must be an address such as https://sriim.example.org", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// tileHost is a tile template's host: a name, optionally with Leaflet's
// subdomain placeholder as its first label, and a port.
var tileHost = regexp.MustCompile(`^(\{s\}\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$`)

// tilePlaceholder is a {name} in a tile template.
var tilePlaceholder = regexp.MustCompile(`\{[^}]*\}`)

// parseTiles checks a Leaflet tile URL template: http(s), a host, {z},
// {x} and {y} (or {-y}), no placeholder Leaflet would not fill, and an
// attribution; the host becomes the Content-Security-Policy source.
func parseTiles(template, attribution string) (Tiles, error) {
	if template == "" {
		return Tiles{}, nil
	}
	bad := errs.E(errs.Invalid, "--map-tiles: %q must be a tile address such as https://{s}.tile.example.org/{z}/{x}/{y}.png", template)
	scheme, rest, ok := strings.Cut(template, "://")
	host, path, _ := strings.Cut(rest, "/")
	if !ok || (scheme != "https" && scheme != "http") || !tileHost.MatchString(host) {
		return Tiles{}, bad
	}
	for _, p := range tilePlaceholder.FindAllString(path, -1) {
		if !slices.Contains([]string{"{s}", "{z}", "{x}", "{y}", "{-y}", "{r}"}, p) {
			return Tiles{}, bad
		}
	}
	filled := tilePlaceholder.ReplaceAllString(template, "0")
	u, err := url.Parse(filled)
	if err != nil || u.User != nil || u.Fragment != "" || strings.ContainsAny(filled, " {}\"\t\n;,") ||
		!strings.Contains(path, "{z}") || !strings.Contains(path, "{x}") || !strings.Contains(path, "y}") {
		return Tiles{}, bad
	}
	attribution = strings.TrimSpace(attribution)
	if attribution == "" || len(attribution) > 500 {
		return Tiles{}, errs.E(errs.Invalid, "--map-tiles needs --map-attribution: the credit the tile server asks for (at most 500 characters)")
	}
	return Tiles{URL: template, Attribution: attribution, Source: scheme + "://" + strings.Replace(host, "{s}", "*", 1)}, nil
}

// DefaultLang is the language of the command line's messages when --lang is
// not given: SRIIM_LANG, else the locale's language (LC_ALL, LC_MESSAGES,
// LANG: "es_PE.UTF-8") when SRIIM speaks it, else Spanish, SRIIM's default.
func DefaultLang(getenv func(string) string) i18n.Lang {
	if l, ok := i18n.Parse(getenv("SRIIM_LANG")); ok {
		return l
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		locale := getenv(name)
		if locale == "" {
			continue
		}
		// The first locale variable set decides, as for other programs.
		locale, _, _ = strings.Cut(locale, ".")
		if l, ok := i18n.Parse(strings.ReplaceAll(locale, "_", "-")); ok {
			return l
		}
		break
	}
	return i18n.ES
}

// LangOf is the language that a command's arguments ask for with --lang,
// else DefaultLang: for what is printed before or without the flags parsed.
func LangOf(args []string, getenv func(string) string) i18n.Lang {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "lang" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			value = args[i+1]
		}
		if l, ok := i18n.Parse(value); ok {
			return l
		}
	}
	return DefaultLang(getenv)
}

func langList() string {
	var names []string
	for _, l := range i18n.Supported {
		names = append(names, string(l))
	}
	return strings.Join(names, ", ")
}

// ParseSize reads a size in bytes, with an optional KiB, MiB or GiB unit ("2GiB").
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	unit := int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			s, unit = strings.TrimSpace(n), u
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return 0, errs.E(errs.Invalid, "%q is not a size", s)
	}
	return n * unit, nil
}
