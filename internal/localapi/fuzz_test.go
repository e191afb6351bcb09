package localapi

import (
	"encoding/json"
	"firstclass/internal/contract"
	"testing"
)

// FuzzAccessLogLineStaysJSON: whatever a client puts in a header, a path or a body, every
// line of the stages' JSON access log format stays one valid JSON object, so the bench and
// log tools can read it.
func FuzzAccessLogLineStaysJSON(f *testing.F) {
	for _, seed := range []string{"", "-", `"`, `\`, `\"`, "a\nb", "\x00\x1f", "é☃", "\xff\xfe", `{"a":1}`} {
		f.Add(seed)
	}
	formats := []*logFormat{parseLogFormat(contract.AccessLogFormat(contract.HTTP)), parseLogFormat(contract.AccessLogFormat(contract.REST))}
	f.Fuzz(func(t *testing.T, value string) {
		for _, lf := range formats {
			line := lf.render(nil, func(string) string { return value })
			var m map[string]string
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("value %q makes the line %s, which is not JSON: %v", value, line, err)
			}
			if line[len(line)-1] != '\n' || len(m) == 0 {
				t.Fatalf("line %q is not one object on one line", line)
			}
		}
	})
}
