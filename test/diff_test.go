package test

import (
	"fmt"
	"strings"
)

// lineDiff shows the first lines where want and got differ, with a little context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		out = append(out, fmt.Sprintf("line %d:\n  - %s\n  + %s", i+1, wl, gl))
		if shown++; shown == 20 {
			out = append(out, "…")
			break
		}
	}
	return strings.Join(out, "\n")
}
