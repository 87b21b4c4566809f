package config

import (
	"flag"
	"io"
	"log/slog"
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
		{name: "bad db", args: []string{"--db", "mysql://x"}, wantErr: true},
		{name: "bad level", args: []string{"--log-level", "loud"}, wantErr: true},
		{name: "lang from the locale", env: map[string]string{"LANG": "en_GB.UTF-8"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.EN}},
		{name: "SRIIM_LANG beats the locale, the flag beats both", args: []string{"--lang", "es"}, env: map[string]string{"LANG": "en_US.UTF-8", "SRIIM_LANG": "en"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, Lang: i18n.ES}},
		{name: "bad lang", args: []string{"--lang", "xx"}, wantErr: true},
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
			if !tt.wantErr && got != tt.want {
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
