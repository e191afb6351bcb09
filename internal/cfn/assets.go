package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Assets: a synthesized resource names its code or nested template in two ways, its
// aws:asset:path metadata (a path in the assembly, written unless asset metadata is turned
// off) and the S3 object key of its Code.S3Key or TemplateURL, which the stack's asset
// manifest (STACK.assets.json) maps back to the same path.

// loadAssets reads one asset manifest's file assets.
func (a *Assembly) loadAssets(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cloud assembly %s: asset manifest: %w", a.Dir, err)
	}
	var m struct {
		Files map[string]struct {
			Source struct {
				Path string `json:"path"`
			} `json:"source"`
			Destinations map[string]struct {
				ObjectKey string `json:"objectKey"`
			} `json:"destinations"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("cloud assembly %s: %s: %w", a.Dir, filepath.Base(path), err)
	}
	for _, f := range m.Files {
		if f.Source.Path == "" {
			continue
		}
		for _, d := range f.Destinations {
			a.assets[d.ObjectKey] = f.Source.Path
		}
	}
	return nil
}

// AssetPath is the file or directory in the assembly that holds a resource's asset: its
// aws:asset:path metadata, else the asset whose S3 object key is objectKey (a Code.S3Key, or
// the last segment of a TemplateURL). ok is false when the assembly has neither.
func (a *Assembly) AssetPath(res *Resource, objectKey string) (string, bool) {
	p, _ := res.Metadata["aws:asset:path"].(string)
	if p == "" && objectKey != "" {
		p = a.assets[objectKey]
	}
	if p == "" {
		return "", false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.Dir, p)
	}
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// objectKeyOf is the last path segment of a literal string, or of the last literal part of
// an Fn::Join (how the CDK writes a TemplateURL).
func objectKeyOf(v any) string {
	switch v := v.(type) {
	case string:
		return v[strings.LastIndex(v, "/")+1:]
	case map[string]any:
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			if parts, ok := j[1].([]any); ok && len(parts) > 0 {
				return objectKeyOf(parts[len(parts)-1])
			}
		}
	}
	return ""
}
