package localapi

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"firstclass/internal/cfn"
)

// Problem is one thing in the template the runner cannot emulate: the resource, what it cannot
// do with it, and what to do about it.
type Problem struct {
	LogicalID string
	Type      string
	Path      string // construct path
	What      string
	Fix       string // "" when there is nothing to say beyond What
}

func (p Problem) String() string {
	s := fmt.Sprintf("cannot emulate %s %s (%s): %s", p.Type, p.LogicalID, p.Path, p.What)
	if p.Fix != "" {
		s += "; " + p.Fix
	}
	return s
}

// StartError is every problem the runner found in the whole template, reported together at
// start so that one run shows all of them; New returns it.
type StartError struct {
	Stack    string
	Problems []Problem
}

func (e *StartError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  " + p.String()
	}
	return fmt.Sprintf("stack %s: %d resource problem(s) the local runner cannot emulate, all listed:\n%s", e.Stack, len(e.Problems), strings.Join(lines, "\n"))
}

// problems collects what cannot be emulated while a template loads.
type problems struct {
	list    []Problem
	derived int // problems that follow from listed ones
}

// errReported is a problem that follows from another resource's, which is listed.
var errReported = errors.New("depends on a resource the local runner cannot emulate")

// add records that res cannot be emulated; err's text says what. A joined error
// (errors.Join) is one problem per error it joins, so that a resource with several parts the
// runner cannot emulate (a state machine's Task states, a rule's targets) lists each.
func (ps *problems) add(res *cfn.Resource, err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			ps.add(res, e)
		}
		return
	}
	if errors.Is(err, errReported) {
		// It follows from a problem already listed; the runner does not start, so what
		// depends on it is not served either.
		ps.derived++
		return
	}
	p := Problem{LogicalID: res.LogicalID, Type: res.Type, Path: res.Path(), What: err.Error()}
	var f *fixable
	if asFixable(err, &f) {
		p.What, p.Fix = f.what, f.fix
	}
	ps.list = append(ps.list, p)
}

// err is a *StartError with every problem, sorted, or nil.
func (ps *problems) err(stack string) error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.Slice(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.LogicalID != b.LogicalID {
			return a.LogicalID < b.LogicalID
		}
		return a.What < b.What
	})
	return &StartError{Stack: stack, Problems: ps.list}
}

// fixable is an error that says what to do about it.
type fixable struct{ what, fix string }

func (f *fixable) Error() string { return f.what + "; " + f.fix }

// cannot is an error saying what cannot be emulated and what to do instead.
func cannot(fix, format string, args ...any) error {
	return &fixable{what: fmt.Sprintf(format, args...), fix: fix}
}

func asFixable(err error, target **fixable) bool {
	f, ok := err.(*fixable)
	if ok {
		*target = f
	}
	return ok
}

// count is how many problems were found so far, derived ones included.
func (ps *problems) count() int { return len(ps.list) + ps.derived }
