package test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// resolve renders an intrinsic as readable text: {"Ref": "X"} is "${X}", {"Fn::GetAtt":
// ["X", "Arn"]} is "${X.Arn}", Fn::Join joins its resolved parts. Tests compare against it.
func resolve(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64, bool:
		return fmt.Sprint(v)
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			return "${" + ref + "}"
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return "${" + ga[0].(string) + "." + ga[1].(string) + "}"
		}
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, resolve(p))
			}
			return strings.Join(parts, j[0].(string))
		}
	}
	return fmt.Sprintf("<unresolved %v>", v)
}

// resources returns the logical IDs of every resource of a type, sorted.
func (s *synthesized) resources(typ string) []string {
	var ids []string
	for id, r := range s.json["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func (s *synthesized) props(id string) map[string]any {
	r, ok := s.json["Resources"].(map[string]any)[id].(map[string]any)
	if !ok {
		return nil
	}
	p, _ := r["Properties"].(map[string]any)
	return p
}

// find returns the one resource of a type whose properties satisfy match.
func (s *synthesized) find(t *testing.T, typ string, what string, match func(map[string]any) bool) (string, map[string]any) {
	t.Helper()
	var found []string
	for _, id := range s.resources(typ) {
		if match(s.props(id)) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want exactly one %s, found %v", what, typ, found)
	}
	return found[0], s.props(found[0])
}

// refID returns X of {"Ref": "X"} or {"Fn::GetAtt": ["X", …]}.
func refID(v any) string {
	m, _ := v.(map[string]any)
	if ref, ok := m["Ref"].(string); ok {
		return ref
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
		return ga[0].(string)
	}
	return ""
}

// rolePermissions lists a role's statements as "Effect Action on Resource", from every
// AWS::IAM::Policy attached to it and its inline policies.
func (s *synthesized) rolePermissions(roleID string) []string {
	var out []string
	add := func(doc any) {
		for _, st := range doc.(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			out = append(out, fmt.Sprintf("%s %s on %s", st["Effect"], resolveList(st["Action"]), resolveList(st["Resource"])))
		}
	}
	for _, id := range s.resources("AWS::IAM::Policy") {
		p := s.props(id)
		for _, r := range p["Roles"].([]any) {
			if refID(r) == roleID {
				add(p["PolicyDocument"])
			}
		}
	}
	if pols, ok := s.props(roleID)["Policies"].([]any); ok {
		for _, p := range pols {
			add(p.(map[string]any)["PolicyDocument"])
		}
	}
	sort.Strings(out)
	return out
}

func resolveList(v any) string {
	if l, ok := v.([]any); ok {
		var parts []string
		for _, x := range l {
			parts = append(parts, resolve(x))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return resolve(v)
}

func regexpFullMatch(t *testing.T, pattern, s string) bool {
	t.Helper()
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		t.Fatalf("selection pattern %q: %v", pattern, err)
	}
	return re.MatchString(s)
}
