package vtl

import "testing"

func TestJavaPatternMatchesTheWholeInput(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{`4\d{2}`, "404", true},
		{`4\d{2}`, "4040", false},
		{`Missing the required greeter parameter\..*`, "Missing the required greeter parameter.", true},
		{`.*timed out.*`, "2026-11-23T12:00:00.000Z abc Task timed out after 3.00 seconds", true},
		{`5\d{2}`, "200", false},
	} {
		p, err := CompileJavaPattern(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := p.Matches(tt.s); err != nil || got != tt.want {
			t.Errorf("%q matches %q = %v, %v; want %v", tt.pattern, tt.s, got, err, tt.want)
		}
	}
	if _, err := CompileJavaPattern(`(?<=a)b`); err == nil {
		t.Error("lookbehind compiled; want an error naming the unsupported construct")
	}
}
