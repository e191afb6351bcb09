package test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// nagLog is a cdk-nag logger that keeps what the AwsSolutions pack found.
type nagLog struct {
	findings   []string // unsuppressed non-compliance, "RuleId path"
	errors     []string // rules that could not run
	suppressed []nagSuppression
}

type nagSuppression struct{ rule, path, reason string }

func (l *nagLog) OnCompliance(*cdknag.NagLoggerComplianceData)       {}
func (l *nagLog) OnNotApplicable(*cdknag.NagLoggerNotApplicableData) {}
func (l *nagLog) OnNonCompliance(d *cdknag.NagLoggerNonComplianceData) {
	l.findings = append(l.findings, fmt.Sprintf("%s %s: %s (finding %s)", *d.RuleId, *d.Resource.Node().Path(), *d.RuleInfo, *d.FindingId))
}
func (l *nagLog) OnError(d *cdknag.NagLoggerErrorData) {
	l.errors = append(l.errors, fmt.Sprintf("%s %s: %s", *d.RuleId, *d.Resource.Node().Path(), *d.ErrorMessage))
}
func (l *nagLog) OnSuppressed(d *cdknag.NagLoggerSuppressedData) {
	l.suppressed = append(l.suppressed, nagSuppression{*d.RuleId, *d.Resource.Node().Path(), *d.SuppressionReason})
}
func (l *nagLog) OnSuppressedError(d *cdknag.NagLoggerSuppressedErrorData) {
	l.errors = append(l.errors, fmt.Sprintf("%s %s: suppressed error: %s", *d.RuleId, *d.Resource.Node().Path(), *d.ErrorMessage))
}

func (l *nagLog) report() string {
	all := append(append([]string(nil), l.findings...), l.errors...)
	sort.Strings(all)
	return "cdk-nag AwsSolutions:\n  " + strings.Join(all, "\n  ")
}

func TestNagAwsSolutionsFindsNothingUnsuppressed(t *testing.T) {
	s := app(t)
	for _, f := range s.nag.findings {
		t.Errorf("unsuppressed finding: %s", f)
	}
	for _, e := range s.nag.errors {
		t.Errorf("rule error: %s", e)
	}
}

func TestNagSuppressionsSayWhy(t *testing.T) {
	s := app(t)
	if len(s.nag.suppressed) == 0 {
		t.Fatal("no suppressions were logged: is the nag logger wired in?")
	}
	rules := map[string]bool{}
	for _, sup := range s.nag.suppressed {
		rules[sup.rule] = true
		// cdk-nag itself only asks for 10 characters; a reason should say what and why.
		if len(strings.Fields(sup.reason)) < 12 {
			t.Errorf("%s on %s: reason %q is too short to explain the exception", sup.rule, sup.path, sup.reason)
		}
	}
	// The accepted exceptions are exactly these; a new one needs a decision, not a default.
	// IAM5 and S1 are the load workers' stack's: its results prefix, the Distributed Map's
	// child executions, a results bucket without access logs (api/load.go). SQS3 is the
	// scratch queue's, which nothing receives from (api/nag.go).
	want := []string{"AwsSolutions-APIG3", "AwsSolutions-APIG4", "AwsSolutions-APIG6", "AwsSolutions-COG4", "AwsSolutions-IAM5", "AwsSolutions-S1", "AwsSolutions-SF1", "AwsSolutions-SF2", "AwsSolutions-SQS3"}
	var got []string
	for r := range rules {
		got = append(got, r)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("suppressed rules = %v, want %v", got, want)
	}
}
