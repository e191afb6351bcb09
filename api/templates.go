package api

import (
	"embed"
	"firstclass/internal/spec"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// The REST API's VTL mapping templates. Placeholders %QueueUrl%, %EventBusName%,
// %StateMachineArn% and %StreamName% stand for the route target's attributes and are filled at synth.
//
//go:embed templates/*.vtl
var embedded embed.FS

// templateFS is where templates are read from; tests lay a broken one over it.
var templateFS fs.ReadFileFS = embedded

// TemplateNames lists the embedded templates.
func TemplateNames() []string {
	names, _ := fs.Glob(templateFS, "templates/*.vtl")
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "templates/")
	}
	sort.Strings(names)
	return names
}

// TemplateText returns an embedded template's text with its placeholders still in.
func TemplateText(name string) (string, error) {
	b, err := templateFS.ReadFile("templates/" + name)
	if err != nil {
		return "", fmt.Errorf("template %q: not in api/templates (have %s)", name, strings.Join(TemplateNames(), ", "))
	}
	// A file's final newline is the editor's, not the template's: API Gateway would render
	// it into the body (an SQS message would gain a trailing "\n").
	return strings.TrimSuffix(string(b), "\n"), nil
}

// placeholders are the target attributes a template may name.
var placeholders = []spec.Attr{spec.QueueURL, spec.EventBusName, spec.StateMachineArn, spec.StreamName}

// FillTemplate replaces each %Attr% in a template with attrs[Attr]. It fails on a placeholder
// the target does not provide, so a template cannot reach a deploy with one left in.
func FillTemplate(name, text string, attrs map[spec.Attr]string) (string, error) {
	for _, a := range placeholders {
		ph := "%" + string(a) + "%"
		if !strings.Contains(text, ph) {
			continue
		}
		v, ok := attrs[a]
		if !ok {
			return "", fmt.Errorf("template %q uses %s, which this route's target does not have", name, ph)
		}
		text = strings.ReplaceAll(text, ph, v)
	}
	return text, nil
}
