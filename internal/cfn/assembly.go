package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Assembly is a cloud assembly directory (cdk.out).
type Assembly struct {
	Dir    string
	Stacks []*Stack
	// assets are the file assets of the asset manifests, by the S3 object key a template
	// names them with ("HASH.zip", "HASH.json"): their source path in Dir.
	assets map[string]string
}

// Stack is one CloudFormation stack artifact of an assembly.
type Stack struct {
	Name     string // the stack name CloudFormation would use
	Template *Template
}

// Template is a CloudFormation template.
type Template struct {
	Parameters map[string]*Parameter
	Resources  map[string]*Resource
	Outputs    map[string]*Output
	// Nested are the AWS::CloudFormation::Stack resources whose template Flatten merged into
	// this one, by logical ID, with the nested template's file.
	Nested map[string]string
}

// Parameter is one template parameter.
type Parameter struct {
	Name          string
	Type          string
	Default       any // nil when it has none
	Description   string
	AllowedValues []any
}

// DefaultString is the parameter's default as CloudFormation passes it (numbers as text), and
// whether it has one.
func (p *Parameter) DefaultString() (string, bool) {
	switch d := p.Default.(type) {
	case string:
		return d, true
	case float64:
		return strconv.FormatFloat(d, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(d), true
	}
	return "", false
}

// Resource is one template resource.
type Resource struct {
	LogicalID  string
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	Condition  string
}

// Output is one template output.
type Output struct {
	Key         string
	Value       any
	Description string
}

// LoadAssembly reads dir/manifest.json and the template of every stack in it.
func LoadAssembly(dir string) (*Assembly, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("cloud assembly: %w (synthesize first: npx cdk synth, or firstclass local without --no-synth)", err)
	}
	var manifest struct {
		Artifacts map[string]struct {
			Type        string `json:"type"`
			DisplayName string `json:"displayName"`
			Properties  struct {
				TemplateFile string `json:"templateFile"`
				StackName    string `json:"stackName"`
				File         string `json:"file"` // cdk:asset-manifest
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		return nil, fmt.Errorf("cloud assembly %s: manifest.json: %w", dir, err)
	}
	a := &Assembly{Dir: dir, assets: map[string]string{}}
	for _, art := range manifest.Artifacts {
		if art.Type == "cdk:asset-manifest" {
			if err := a.loadAssets(filepath.Join(dir, art.Properties.File)); err != nil {
				return nil, err
			}
		}
	}
	for id, art := range manifest.Artifacts {
		if art.Type != "aws:cloudformation:stack" {
			continue
		}
		name := art.Properties.StackName
		if name == "" {
			name = id
		}
		t, err := LoadTemplate(filepath.Join(dir, art.Properties.TemplateFile))
		if err != nil {
			return nil, err
		}
		a.Stacks = append(a.Stacks, &Stack{Name: name, Template: t})
	}
	if len(a.Stacks) == 0 {
		return nil, fmt.Errorf("cloud assembly %s has no CloudFormation stack", dir)
	}
	sort.Slice(a.Stacks, func(i, j int) bool { return a.Stacks[i].Name < a.Stacks[j].Name })
	return a, nil
}

// Stack returns the named stack, or the only one when name is "".
func (a *Assembly) Stack(name string) (*Stack, error) {
	var names []string
	for _, s := range a.Stacks {
		if s.Name == name || (name == "" && len(a.Stacks) == 1) {
			return s, nil
		}
		names = append(names, s.Name)
	}
	if name == "" {
		return nil, fmt.Errorf("cloud assembly %s has stacks %s; name one", a.Dir, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("cloud assembly %s has no stack %q; it has %s", a.Dir, name, strings.Join(names, ", "))
}

// LoadTemplate reads a JSON template file.
func LoadTemplate(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t, err := ParseTemplate(b)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	return t, nil
}

// ParseTemplate decodes a JSON template.
func ParseTemplate(b []byte) (*Template, error) {
	var raw struct {
		Parameters map[string]struct {
			Type          string `json:"Type"`
			Default       any    `json:"Default"`
			Description   string `json:"Description"`
			AllowedValues []any  `json:"AllowedValues"`
		} `json:"Parameters"`
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Properties map[string]any `json:"Properties"`
			Metadata   map[string]any `json:"Metadata"`
			Condition  string         `json:"Condition"`
		} `json:"Resources"`
		Outputs map[string]struct {
			Value       any    `json:"Value"`
			Description string `json:"Description"`
		} `json:"Outputs"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	t := &Template{Parameters: map[string]*Parameter{}, Resources: map[string]*Resource{}, Outputs: map[string]*Output{}, Nested: map[string]string{}}
	for name, p := range raw.Parameters {
		t.Parameters[name] = &Parameter{Name: name, Type: p.Type, Default: p.Default, Description: p.Description, AllowedValues: p.AllowedValues}
	}
	for id, r := range raw.Resources {
		if r.Properties == nil {
			r.Properties = map[string]any{}
		}
		t.Resources[id] = &Resource{LogicalID: id, Type: r.Type, Properties: r.Properties, Metadata: r.Metadata, Condition: r.Condition}
	}
	for k, o := range raw.Outputs {
		t.Outputs[k] = &Output{Key: k, Value: o.Value, Description: o.Description}
	}
	return t, nil
}

// OfType returns the resources of a type, by logical ID.
func (t *Template) OfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out
}

// Path is the resource's construct path from its aws:cdk:path metadata, or its logical ID.
func (r *Resource) Path() string {
	if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
		return p
	}
	return r.LogicalID
}

func (r *Resource) String() string { return fmt.Sprintf("%s %s (%s)", r.Type, r.LogicalID, r.Path()) }
