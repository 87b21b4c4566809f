package httpkit

import "testing"

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 32 << 20: "32 MiB", 2 << 30: "2 GiB", 1536: "1.5 KiB", 100: "100 bytes"} {
		if got := ByteSize(n); got != want {
			t.Errorf("ByteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
