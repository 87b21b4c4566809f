package httpkit

import (
	"net/url"
	"slices"
	"testing"
)

func TestListParams(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"a=604", []string{"604"}},
		{"a=604,152,764", []string{"604", "152", "764"}},
		{"a=604&a=152&a=764", []string{"604", "152", "764"}},
		{"a=604,152&a=764", []string{"604", "152", "764"}},
		{"a=+604+,,152,&a=", []string{"604", "152"}},
		{"a=*", nil},
		{"b=1", nil},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		if got := List(q, "a"); !slices.Equal(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.query, got, tt.want)
		}
	}
	q, _ := url.ParseQuery("a=604,152&a=764")
	if got, err := IntList(q, "a", 3); err != nil || !slices.Equal(got, []int{604, 152, 764}) {
		t.Errorf("ints: %v %v", got, err)
	}
	if _, err := IntList(q, "a", 2); err == nil {
		t.Error("more values than allowed were taken")
	}
	q, _ = url.ParseQuery("a=604,PER")
	if _, err := IntList(q, "a", 5); err == nil {
		t.Error("a code that is not a number was taken")
	}
}
