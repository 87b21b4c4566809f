package modules

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/network"
	"sriim/internal/trade"
)

// newNetwork builds the information network with what it announces: the
// archive's news and new documents and the market reports. (Closures join
// when the zones module records them.)
func newNetwork(d *db.DB, sender mail.MessageSender, publicURL string, log *slog.Logger, arc *archive.Service, tr *trade.Service) *network.Service {
	n := network.New(d, sender, publicURL)
	if log != nil {
		n.Log = log
	}
	n.AddSource("news", func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]network.Item, error) {
		items, err := arc.NewsList(ctx, auth.Principal{}, archive.NewsFilter{Since: from, Until: to, Limit: 100})
		var out []network.Item
		for _, it := range items {
			text, _ := it.Text(string(lang))
			var species []string
			for _, l := range it.Links {
				if l.Kind == "species" {
					species = append(species, l.Ref)
				}
			}
			out = append(out, network.Item{Ref: "news:" + strconv.FormatInt(it.ID, 10), Species: species, Title: text.Title,
				Summary: text.Summary, Path: archive.NewsPath(it.ID), At: *it.PublishedAt})
		}
		return out, err
	})
	n.AddSource("documents", func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]network.Item, error) {
		docs, err := arc.Added(ctx, from, to)
		var out []network.Item
		for _, d := range docs {
			out = append(out, network.Item{Ref: "document:" + strconv.FormatInt(d.ID, 10), Species: d.Species, Title: d.Title,
				Summary: shorten(d.Abstract, 300), Path: archive.DocumentPath(d.ID), At: d.CreatedAt})
		}
		return out, err
	})
	n.AddSource("market_reports", func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]network.Item, error) {
		reports, err := tr.Reports(ctx)
		var out []network.Item
		for _, r := range reports {
			if r.CreatedAt.Before(from) || !r.CreatedAt.Before(to) {
				continue
			}
			out = append(out, network.Item{Ref: "market_report:" + strconv.FormatInt(r.ID, 10), Title: i18n.T(i18n.Lang(r.Lang), "report.heading", r.Period),
				Path: "/mercados/informes/" + strconv.FormatInt(r.ID, 10), At: r.CreatedAt})
		}
		return out, err
	})
	return n
}

// shorten cuts s to at most n characters, at a word.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndex(cut, " "); i > 0 {
		cut = cut[:i]
	}
	return cut + "…"
}
