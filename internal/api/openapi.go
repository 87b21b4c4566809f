package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed openapi
var embedded embed.FS

// OpenAPI assembles the OpenAPI 3.1 document: openapi/base.json plus one
// fragment per module (openapi/*.json), whose paths, tags and components are
// merged in. A path or component defined twice is an error.
func OpenAPI(version string) ([]byte, error) {
	names, err := fs.Glob(embedded, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	if err := readJSON("openapi/base.json", &doc); err != nil {
		return nil, err
	}
	doc["info"].(map[string]any)["version"] = version
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		var frag map[string]any
		if err := readJSON(name, &frag); err != nil {
			return nil, err
		}
		if err := mergeInto(doc, "paths", frag["paths"], name); err != nil {
			return nil, err
		}
		if comps, ok := frag["components"].(map[string]any); ok {
			for section, entries := range comps {
				docComps := doc["components"].(map[string]any)
				if err := mergeInto(docComps, section, entries, name); err != nil {
					return nil, err
				}
			}
		}
		if tags, ok := frag["tags"].([]any); ok {
			doc["tags"] = append(doc["tags"].([]any), tags...)
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func readJSON(name string, v any) error {
	b, err := embedded.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func mergeInto(parent map[string]any, key string, entries any, from string) error {
	m, ok := entries.(map[string]any)
	if !ok {
		return nil
	}
	dst, ok := parent[key].(map[string]any)
	if !ok {
		dst = map[string]any{}
		parent[key] = dst
	}
	for k, v := range m {
		if _, dup := dst[k]; dup {
			return fmt.Errorf("%s: %s %q is already defined", from, key, k)
		}
		dst[k] = v
	}
	return nil
}
