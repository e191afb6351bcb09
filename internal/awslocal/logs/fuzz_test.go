package logs

import (
	"strings"
	"testing"
)

// FuzzFilterPattern: compiling any filter pattern either fails with InvalidParameterException
// or gives a matcher that accepts a message made of its own terms.
func FuzzFilterPattern(f *testing.F) {
	for _, s := range []string{"", "ERROR", `"a phrase" word`, `{ $.a = 1 }`, "[ip, user]", "?a ?b", `"unterminated`, "-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		match, err := compileFilter(pattern)
		if err != nil {
			if err.Code != "InvalidParameterException" {
				t.Fatalf("pattern %q: error code %s", pattern, err.Code)
			}
			return
		}
		if !match(strings.ReplaceAll(pattern, `"`, "")) && !strings.Contains(pattern, `"`) {
			t.Errorf("pattern %q does not match its own terms", pattern)
		}
	})
}
