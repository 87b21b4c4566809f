package config

import (
	"flag"
	"io"
	"log/slog"
	"testing"
)

func TestRegister(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{name: "defaults", want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo}},
		{name: "env", env: map[string]string{"SRIIM_ADDR": ":9000", "SRIIM_DB": "postgres://u@h/db", "SRIIM_LOG_LEVEL": "debug"},
			want: Config{Addr: ":9000", DB: "postgres://u@h/db", DataDir: "data", LogLevel: slog.LevelDebug}},
		{name: "flag beats env", args: []string{"--addr", "127.0.0.1:1"}, env: map[string]string{"SRIIM_ADDR": ":9000"},
			want: Config{Addr: "127.0.0.1:1", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo}},
		{name: "data dir moves the default database", args: []string{"--data-dir", "/srv/x"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:/srv/x/sriim.db", DataDir: "/srv/x", LogLevel: slog.LevelInfo}},
		{name: "bad db", args: []string{"--db", "mysql://x"}, wantErr: true},
		{name: "bad level", args: []string{"--log-level", "loud"}, wantErr: true},
		{name: "upload limit", env: map[string]string{"SRIIM_MAX_UPLOAD": "500MiB"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, MaxUpload: 500 << 20}},
		{name: "upload limit in bytes", args: []string{"--max-upload", "1048576"},
			want: Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/sriim.db", DataDir: "data", LogLevel: slog.LevelInfo, MaxUpload: 1 << 20}},
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
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
