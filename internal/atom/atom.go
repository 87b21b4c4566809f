// Package atom writes Atom 1.0 feeds (RFC 4287) from data: what a feed
// reader needs to follow SRIIM's news and new documents. The standard
// library's encoding/xml escapes every value; the caller gives absolute
// addresses.
package atom

import (
	"encoding/xml"
	"io"
	"time"
)

// NS is the Atom namespace.
const NS = "http://www.w3.org/2005/Atom"

// Feed is an Atom feed.
type Feed struct {
	XMLName   xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Subtitle  string   `xml:"subtitle,omitempty"`
	Updated   Time     `xml:"updated"`
	Links     []Link   `xml:"link"`
	Author    *Person  `xml:"author,omitempty"`
	Generator string   `xml:"generator,omitempty"`
	Entries   []Entry  `xml:"entry"`
	Rights    string   `xml:"rights,omitempty"`
}

// Link is a link of a feed or an entry.
type Link struct {
	Href     string `xml:"href,attr"`
	Rel      string `xml:"rel,attr,omitempty"` // alternate (default), self, enclosure, related
	Type     string `xml:"type,attr,omitempty"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Title    string `xml:"title,attr,omitempty"`
	Length   int64  `xml:"length,attr,omitempty"`
}

// Person is an author.
type Person struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

// Text is a text construct: plain text, or HTML (escaped in the XML).
type Text struct {
	Type string `xml:"type,attr,omitempty"` // text (default) or html
	// Base is the address the HTML's relative links are relative to
	// (xml:base), so that a link a writer gave as "/archivo/1" leads to
	// the site from any reader.
	Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr,omitempty"`
	Body string `xml:",chardata"`
}

// Category is a term the entry is filed under.
type Category struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// Entry is an item of a feed.
type Entry struct {
	ID         string     `xml:"id"`
	Title      string     `xml:"title"`
	Updated    Time       `xml:"updated"`
	Published  *Time      `xml:"published,omitempty"`
	Authors    []Person   `xml:"author,omitempty"`
	Links      []Link     `xml:"link"`
	Categories []Category `xml:"category,omitempty"`
	Summary    *Text      `xml:"summary,omitempty"`
	Content    *Text      `xml:"content,omitempty"`
}

// Time is a date as Atom writes it (RFC 3339, UTC).
type Time time.Time

// MarshalText writes the time as RFC 3339.
func (t Time) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format(time.RFC3339)), nil
}

// UnmarshalText reads an RFC 3339 time.
func (t *Time) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339, string(b))
	*t = Time(v)
	return err
}

// Write writes the feed as an XML document.
func (f Feed) Write(w io.Writer) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// MediaType is the media type of an Atom feed.
const MediaType = "application/atom+xml; charset=utf-8"
