package archive

import (
	"context"
	"strings"

	"sriim/internal/auth"
)

// Kept lists the documents p may see that SRIIM keeps itself (Keep) under
// a key starting with prefix ("brochure:" gives every edition of the
// brochure), the newest year first.
func (s *Service) Kept(ctx context.Context, p auth.Principal, prefix string) ([]Document, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return placeholders(len(args), 1)
	}
	// A LIKE pattern's wildcards in the prefix are matched as themselves.
	pattern := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	query := "SELECT " + documentColumns + " FROM archive_documents d WHERE d.source_key LIKE " + arg(pattern) + ` ESCAPE '\' AND ` +
		accessSQL(p, arg) + " ORDER BY d.year DESC, d.id DESC"
	docs, err := readDocuments(ctx, s.db.Read(), query, args...)
	if err != nil {
		return nil, err
	}
	return docs, details(ctx, s.db.Read(), docs, true)
}
