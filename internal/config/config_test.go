package config

import (
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"reflect"
	"testing"

	"sriim/internal/i18n"
)

func TestRegister(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{name: "defaults", want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES}},
		{name: "env", env: map[string]string{"SRIIM_ADDR": ":9000", "SRIIM_DB": "postgres://u@h/db", "SRIIM_LOG_LEVEL": "debug"},
			want: Config{Addr: ":9000", DB: "postgres://u@h/db", DataDir: "data", LogLevel: slog.LevelDebug, Lang: i18n.ES}},
		{name: "flag beats env", args: []string{"--addr", "127.0.0.1:1"}, env: map[string]string{"SRIIM_ADDR": ":9000"},
			want: Config{Addr: "127.0.0.1:1", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES}},
		{name: "data dir moves the default database", args: []string{"--data-dir", "/srv/x"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:/srv/x/sriim.db", DataDir: "/srv/x", LogLevel: slog.LevelInfo, Lang: i18n.ES}},
		{name: "proxies, public address and metrics access",
			args: []string{"--trusted-proxies", "10.0.0.0/8, 192.168.1.7,::1", "--public-url", "https://sriim.example.org/"},
			env:  map[string]string{"SRIIM_METRICS_NETWORKS": "192.0.2.0/24", "SRIIM_METRICS_TOKEN": "s3cret"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES,
				PublicURL:       "https://sriim.example.org",
				TrustedProxies:  []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("::1/128")},
				MetricsNetworks: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, MetricsToken: "s3cret"}},
		{name: "bad proxy network", args: []string{"--trusted-proxies", "10.0.0.0/33"}, wantErr: true},
		{name: "public address with a query", args: []string{"--public-url", "https://x.example/?a=1"}, wantErr: true},
		{name: "public address without scheme", args: []string{"--public-url", "sriim.example.org"}, wantErr: true},
		{name: "bad db", args: []string{"--db", "mysql://x"}, wantErr: true},
		{name: "bad level", args: []string{"--log-level", "loud"}, wantErr: true},
		{name: "lang from the locale", env: map[string]string{"LANG": "en_GB.UTF-8"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.EN}},
		{name: "SRIIM_LANG beats the locale, the flag beats both", args: []string{"--lang", "es"}, env: map[string]string{"LANG": "en_US.UTF-8", "SRIIM_LANG": "en"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES}},
		{name: "bad lang", args: []string{"--lang", "xx"}, wantErr: true},
		{name: "upload limit", env: map[string]string{"SRIIM_MAX_UPLOAD": "500MiB"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES, MaxUpload: 500 << 20}},
		{name: "upload limit in bytes", args: []string{"--max-upload", "1048576"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES, MaxUpload: 1 << 20}},
		{name: "map tiles", env: map[string]string{"SRIIM_MAP_TILES": "https://{s}.tile.example.org/{z}/{x}/{y}{r}.png", "SRIIM_MAP_ATTRIBUTION": " © OpenStreetMap "},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES,
				Tiles: Tiles{URL: "https://{s}.tile.example.org/{z}/{x}/{y}{r}.png", Attribution: "© OpenStreetMap", Source: "https://*.tile.example.org"}}},
		{name: "map tiles on a port, with a key", args: []string{"--map-tiles", "http://127.0.0.1:8081/t/{z}/{x}/{-y}.png?key=k", "--map-attribution", "x"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES,
				Tiles: Tiles{URL: "http://127.0.0.1:8081/t/{z}/{x}/{-y}.png?key=k", Attribution: "x", Source: "http://127.0.0.1:8081"}}},
		{name: "map tiles without attribution", args: []string{"--map-tiles", "https://t.example.org/{z}/{x}/{y}.png"}, wantErr: true},
		{name: "map tiles without {x}", args: []string{"--map-tiles", "https://t.example.org/{z}/{y}.png", "--map-attribution", "x"}, wantErr: true},
		{name: "map tiles not http", args: []string{"--map-tiles", "ftp://t.example.org/{z}/{x}/{y}.png", "--map-attribution", "x"}, wantErr: true},
		{name: "map tiles with a policy in the host", args: []string{"--map-tiles", "https://t.example.org;script-src:*/{z}/{x}/{y}.png", "--map-attribution", "x"}, wantErr: true},
		{name: "map tiles with a policy in the path", args: []string{"--map-tiles", "https://t.example.org/{z}/{x}/{y}.png;script-src *", "--map-attribution", "x"}, wantErr: true},
		{name: "map tiles with a subdomain placeholder inside the host", args: []string{"--map-tiles", "https://a{s}.example.org/{z}/{x}/{y}.png", "--map-attribution", "x"}, wantErr: true},
		{name: "map tiles with a password", args: []string{"--map-tiles", "https://u:p@t.example.org/{z}/{x}/{y}.png", "--map-attribution", "x"}, wantErr: true},
		{name: "map tiles with an unknown placeholder", args: []string{"--map-tiles", "https://t.example.org/{z}/{x}/{y}.png?k={key}", "--map-attribution", "x"}, wantErr: true},
		{name: "upload limit too small", args: []string{"--max-upload", "1KiB"}, wantErr: true},
		{name: "upload limit not a size", args: []string{"--max-upload", "lots"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			resolve := Register(fs, func(k string) string { return tt.env[k] })
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			got, err := resolve()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.want.MaxUpload == 0 {
				tt.want.MaxUpload = DefaultMaxUpload
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDefaultLangAndLangOf(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want i18n.Lang
	}{
		{nil, nil, i18n.ES},
		{nil, map[string]string{"LANG": "C.UTF-8"}, i18n.ES},
		{nil, map[string]string{"LANG": "en_US.UTF-8"}, i18n.EN},
		{nil, map[string]string{"LC_ALL": "C", "LANG": "en_US.UTF-8"}, i18n.ES},
		{nil, map[string]string{"LC_MESSAGES": "es_PE.UTF-8", "LANG": "en_US.UTF-8"}, i18n.ES},
		{nil, map[string]string{"SRIIM_LANG": "en", "LANG": "es_PE.UTF-8"}, i18n.EN},
		{[]string{"import", "--lang", "en"}, nil, i18n.EN},
		{[]string{"import", "-lang=en"}, map[string]string{"SRIIM_LANG": "es"}, i18n.EN},
		{[]string{"import", "--lang", "xx"}, map[string]string{"SRIIM_LANG": "en"}, i18n.EN},
	}
	for _, tt := range tests {
		if got := LangOf(tt.args, func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("LangOf(%q) with %v = %s, want %s", tt.args, tt.env, got, tt.want)
		}
	}
}
