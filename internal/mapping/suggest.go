package mapping

import (
	"fmt"
	"strings"
)

// suggest returns the candidate closest to name by case-insensitive edit
// distance, if it is close enough to be a plausible typo.
func suggest(name string, candidates []string) (string, bool) {
	if name == "" {
		return "", false
	}
	lower := strings.ToLower(name)
	best, bestDist := "", -1
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := editDistance(lower, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 {
		return "", false
	}
	// A case-only difference is distance 0. Otherwise allow about one edit in
	// three characters, and at least two edits for names of four or more.
	limit := len(name) / 3
	if limit < 2 && len(name) >= 4 {
		limit = 2
	}
	if limit < 1 {
		limit = 1
	}
	if bestDist > limit {
		return "", false
	}
	return best, true
}

// didYouMean renders a "; did you mean "x"?" suffix, or "".
func didYouMean(name string, candidates []string) string {
	if s, ok := suggest(name, candidates); ok {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
