package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// messageUse is a message id found in the source, and where.
type messageUse struct {
	id, at string
}

// sourceMessages walks the Go source under root (tests excluded) and returns
// the constant message ids it passes to what shows messages to people:
//   - errs.E(kind, FORMAT, …), errs.Wrap(err, FORMAT, …), errs.Fields(MESSAGE, map…)
//     with the map literal's values, errs.FileProblems(list, FORMAT, …),
//     e.Reword(kind, FORMAT, …), errs.Msg{FORMAT, …};
//   - a file's problems: problems.Add(line, column, FORMAT, …) (any Add whose
//     third argument is a constant);
//   - field messages assigned to a problems map: p[k], problems[k] or
//     fields[k] = "text" | fmt.Sprintf("format", …) | "text " + words;
//   - i18n.Message(lang, FORMAT, …) and i18n.Say(w, lang, FORMAT, …);
//   - a form's problems and error (httpkit.Form): f.Problem(field, MESSAGE),
//     f.Err(MESSAGE);
//   - a package's own helpers that take (…, format string, args ...any),
//     functions, methods or closures, called within the package.
//
// It also returns the interface keys given as i18n.Term("key").
func sourceMessages(t *testing.T, root string) (ids []messageUse, terms []messageUse) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string][]*ast.File{} // by directory, which is a package
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err == nil {
			files[filepath.Dir(path)] = append(files[filepath.Dir(path)], f)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range files {
		// A package's string constants, for messages named by a constant.
		consts := map[string]string{}
		for _, f := range pkg {
			for _, decl := range f.Decls {
				if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.CONST {
					for _, spec := range gd.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								if s, ok := formatOf(vs.Values[i], nil); ok {
									consts[name.Name] = s
								}
							}
						}
					}
				}
			}
		}
		helpers := formatHelpers(pkg)
		for _, f := range pkg {
			walkMessages(fset, f, consts, helpers, f.Name.Name, &ids, &terms)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].at < ids[j].at })
	return ids, terms
}

// formatHelpers finds a package's functions, methods and closures that take
// a message's format and its arguments ("format string, args ...any") and
// returns the position of the format among the arguments of each, by name.
func formatHelpers(pkg []*ast.File) map[string]int {
	helpers := map[string]int{}
	note := func(name string, ft *ast.FuncType) {
		if ft.Params == nil {
			return
		}
		list := ft.Params.List
		i := 0
		for k, field := range list {
			for _, n := range field.Names {
				typ, ok := field.Type.(*ast.Ident)
				if ok && n.Name == "format" && typ.Name == "string" && k+1 < len(list) {
					if _, variadic := list[k+1].Type.(*ast.Ellipsis); variadic {
						helpers[name] = i
					}
				}
				i++
			}
		}
	}
	for _, f := range pkg {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				note(n.Name.Name, n.Type)
			case *ast.AssignStmt: // bad := func(f field, format string, args ...any) …
				for i, rhs := range n.Rhs {
					if lit, ok := rhs.(*ast.FuncLit); ok && i < len(n.Lhs) {
						if id, ok := n.Lhs[i].(*ast.Ident); ok {
							note(id.Name, lit.Type)
						}
					}
				}
			}
			return true
		})
	}
	return helpers
}

func walkMessages(fset *token.FileSet, f *ast.File, consts map[string]string, helpers map[string]int, pkgName string, ids, terms *[]messageUse) {
	add := func(list *[]messageUse, e ast.Expr) {
		if s, ok := formatOf(e, consts); ok && s != "" {
			*list = append(*list, messageUse{s, fset.Position(e.Pos()).String()})
		}
	}
	// msgResult is the position of a result named msg in the function
	// being walked (-1 when there is none): its returned constants are
	// messages ("return fValue, "not negative"").
	msgResult := -1
	var inspect func(n ast.Node) bool
	inspect = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// Its returns are not the declared function's.
			outer := msgResult
			msgResult = -1
			ast.Inspect(n.Body, inspect)
			msgResult = outer
			return false
		case *ast.ReturnStmt:
			if msgResult >= 0 && msgResult < len(n.Results) {
				add(ids, n.Results[msgResult])
			}
		case *ast.CallExpr:
			pkg, name := callee(n)
			if pkg == "" && pkgName == "i18n" {
				pkg = "i18n" // i18n's own calls
			}
			switch {
			case pkg == "errs" && (name == "E" || name == "Wrap" || name == "FileProblems") && len(n.Args) > 1,
				name == "Reword" && len(n.Args) > 1,
				pkg == "i18n" && name == "Message" && len(n.Args) > 1:
				add(ids, n.Args[1])
			case pkg == "i18n" && name == "Say" && len(n.Args) > 2:
				add(ids, n.Args[2])
			case pkg == "errs" && name == "Fields" && len(n.Args) == 2:
				add(ids, n.Args[0])
				if lit, ok := n.Args[1].(*ast.CompositeLit); ok {
					for _, el := range lit.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							add(ids, kv.Value)
						}
					}
				}
			case name == "Add" && pkg != "errs" && len(n.Args) > 2:
				if s, ok := formatOf(n.Args[2], consts); ok && s != "%s" {
					add(ids, n.Args[2])
				}
			case name == "Problem" && len(n.Args) == 2, name == "Err" && len(n.Args) == 1:
				add(ids, n.Args[len(n.Args)-1])
			case pkg == "i18n" && name == "Term" && len(n.Args) == 1:
				add(terms, n.Args[0])
			default:
				if i, ok := helpers[name]; ok && pkg != "fmt" && i < len(n.Args) {
					if s, ok := formatOf(n.Args[i], consts); ok && s != "%s" {
						add(ids, n.Args[i])
					}
				}
			}
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Msg" && len(n.Elts) > 0 {
				first := n.Elts[0]
				if kv, ok := first.(*ast.KeyValueExpr); ok {
					first = kv.Value
				}
				add(ids, first)
			}
			for _, el := range n.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if key, ok := kv.Key.(*ast.Ident); ok && (key.Name == "Msg" || key.Name == "Message") {
						add(ids, kv.Value) // RowError{…, Msg: "…"}
					}
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != 1 || len(n.Rhs) != 1 {
				return true
			}
			if ix, ok := n.Lhs[0].(*ast.IndexExpr); ok && problemsMap(ix.X) {
				add(ids, n.Rhs[0])
			}
		}
		return true
	}
	for _, decl := range f.Decls {
		msgResult = -1
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Type.Results != nil {
			i := 0
			for _, field := range fn.Type.Results.List {
				for _, name := range field.Names {
					if name.Name == "msg" {
						msgResult = i
					}
					i++
				}
				if len(field.Names) == 0 {
					i++
				}
			}
		}
		ast.Inspect(decl, inspect) // functions, and vars (var errNotFound = errs.E(…))
	}
}

// callee names a call's package (or receiver) and function.
func callee(c *ast.CallExpr) (pkg, name string) {
	switch fn := c.Fun.(type) {
	case *ast.SelectorExpr:
		if id, ok := fn.X.(*ast.Ident); ok {
			return id.Name, fn.Sel.Name
		}
		return "", fn.Sel.Name
	case *ast.Ident:
		return "", fn.Name
	}
	return "", ""
}

// problemsMap reports whether x names a map of field messages.
func problemsMap(x ast.Expr) bool {
	if sel, ok := x.(*ast.SelectorExpr); ok {
		x = sel.Sel
	}
	id, ok := x.(*ast.Ident)
	return ok && (id.Name == "p" || id.Name == "problems" || id.Name == "fields")
}

// formatOf is the message id that e spells: a string constant, the format
// of fmt.Sprintf, or a constant followed by words ("one of " + list →
// "one of %s").
func formatOf(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		left, ok := formatOf(e.X, consts)
		if !ok {
			return "", false
		}
		if right, ok := formatOf(e.Y, consts); ok {
			return left + right, true
		}
		return left + "%s", true
	case *ast.CallExpr:
		if pkg, name := callee(e); pkg == "fmt" && name == "Sprintf" && len(e.Args) > 0 {
			return formatOf(e.Args[0], consts)
		}
	case *ast.ParenExpr:
		return formatOf(e.X, consts)
	}
	return "", false
}

// TestEveryMessageIsTranslated fails when a message the code shows to people
// lacks a translation in a language's message catalogue, when a catalogue
// translates a message no code uses, and when a translation's verbs differ
// from its id's.
func TestEveryMessageIsTranslated(t *testing.T) {
	ids, terms := sourceMessages(t, "..")
	if len(ids) < 100 {
		t.Fatalf("found only %d messages in the source; the walker no longer matches the code", len(ids))
	}
	used := map[string]bool{}
	for _, lang := range Supported {
		if lang == EN {
			continue
		}
		var missing []string
		for _, u := range ids {
			used[u.id] = true
			if _, ok := messages[lang][u.id]; !ok && !used[string(lang)+"\x00"+u.id] {
				used[string(lang)+"\x00"+u.id] = true
				missing = append(missing, strconv.Quote(u.id)+": "+strconv.Quote("")+", // "+u.at)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("messages/%s.json lacks %d messages:\n%s", lang, len(missing), strings.Join(missing, "\n"))
		}
	}
	for _, lang := range Supported {
		for _, id := range MessageIDs(lang) {
			if !used[id] {
				t.Errorf("messages/%s.json translates %q, which no code uses", lang, id)
			}
			for _, form := range messages[lang][id].forms() {
				if !sameVerbs(id, form) {
					t.Errorf("messages/%s.json: %q has other verbs than its id %q", lang, form, id)
				}
			}
		}
	}
	for _, u := range terms {
		for _, lang := range Supported {
			keys := Keys(lang)
			found := keys[u.id]
			if prefix, ok := strings.CutSuffix(u.id, "%s"); ok { // i18n.Term("state." + code)
				for k := range keys {
					found = found || strings.HasPrefix(k, prefix)
				}
			}
			if !found {
				t.Errorf("%s.json lacks %q, a term of a message (%s)", lang, u.id, u.at)
			}
		}
	}
}

// sameVerbs reports whether two formats take the same arguments with the
// same verbs, in whatever order.
func sameVerbs(a, b string) bool {
	verbs := func(f string) map[int]string {
		m := map[int]string{}
		for _, p := range splitFormat(f) {
			if p.verb {
				m[p.arg] = p.text[len(p.text)-1:]
			}
		}
		return m
	}
	va, vb := verbs(a), verbs(b)
	if len(va) != len(vb) {
		return false
	}
	for i, v := range va {
		if vb[i] != v {
			return false
		}
	}
	return true
}
