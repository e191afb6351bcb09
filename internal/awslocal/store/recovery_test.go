package store

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// listSection is a Section holding a list of strings: each "list.add" record appends one.
type listSection struct{ items []string }

func (l *listSection) section() Section {
	return Section{
		Name: "list", OpPrefix: "list.",
		Snapshot: func() any { return append([]string(nil), l.items...) },
		Restore:  func(data json.RawMessage) error { return json.Unmarshal(data, &l.items) },
		Apply: func(op string, data json.RawMessage) error {
			var s string
			if err := json.Unmarshal(data, &s); err != nil {
				return err
			}
			l.items = append(l.items, s)
			return nil
		},
	}
}

// crashedWith opens a fresh directory, records items one by one, each synced, and leaves the
// directory as a killed process would: a snapshot taken at open and the log of the items.
func crashedWith(t *testing.T, items ...string) string {
	t.Helper()
	dir := t.TempDir()
	st := New(dir)
	l := &listSection{}
	if err := st.Open(l.section()); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := st.Wait(st.Append("list.add", it)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(false); err != nil {
		t.Fatal(err)
	}
	return dir
}

// reopen restores dir and returns the items, what was reported as damage and the log.
func reopen(t *testing.T, dir string) ([]string, []string, string) {
	t.Helper()
	var log bytes.Buffer
	st := New(dir)
	st.Log = &log
	l := &listSection{}
	if err := st.Open(l.section()); err != nil {
		t.Fatal(err)
	}
	defer st.Close(true)
	return l.items, st.Damage, log.String()
}

// editLog rewrites log-1 of dir with edit applied to its lines.
func editLog(t *testing.T, dir string, edit func(lines []string) string) {
	t.Helper()
	path := LogPath(dir, 1)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if err := os.WriteFile(path, []byte(edit(lines)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryReportsWhatItDropsAndWhy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		damage   func(t *testing.T, dir string)
		items    []string
		reported []string // substrings of Damage, in order; none when nil
		logged   string   // a substring of the log
	}{
		{name: "clean crash", damage: func(*testing.T, string) {}, items: []string{"a", "b", "c", "d"}},
		{name: "a torn last record is dropped with a line, not reported as damage",
			damage: func(t *testing.T, dir string) {
				editLog(t, dir, func(l []string) string { return strings.Join(l[:3], "") + l[3][:len(l[3])/2] })
			},
			items: []string{"a", "b", "c"}, logged: "log-00000001.jsonl line 4: ignored the torn last record"},
		{name: "removed lines are a gap naming the lost records",
			damage: func(t *testing.T, dir string) {
				editLog(t, dir, func(l []string) string { return l[0] + l[3] })
			},
			items: []string{"a", "d"}, reported: []string{"log-00000001.jsonl line 2: records 2–3 missing after log-00000001.jsonl line 1"}},
		{name: "a damaged record fails its checksum",
			damage: func(t *testing.T, dir string) {
				editLog(t, dir, func(l []string) string { return l[0] + strings.Replace(l[1], `"b"`, `"B"`, 1) + l[2] + l[3] })
			},
			items: []string{"a", "c", "d"}, reported: []string{"log-00000001.jsonl line 2: record 2 (list.add) fails its checksum: dropped"}},
		{name: "a deleted log is reported",
			damage: func(t *testing.T, dir string) {
				if err := os.Remove(LogPath(dir, 1)); err != nil {
					t.Fatal(err)
				}
			},
			items: nil, reported: []string{"log-00000001.jsonl is missing: the records made after the snapshot are lost"}},
		{name: "a deleted snapshot is reported",
			damage: func(t *testing.T, dir string) {
				if err := os.Remove(dir + "/" + SnapshotName); err != nil {
					t.Fatal(err)
				}
			},
			items: []string{"a", "b", "c", "d"}, reported: []string{"snapshot.json is missing but logs are there"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := crashedWith(t, "a", "b", "c", "d")
			tc.damage(t, dir)
			items, damage, log := reopen(t, dir)
			if strings.Join(items, ",") != strings.Join(tc.items, ",") {
				t.Errorf("restored %v, want %v", items, tc.items)
			}
			if len(damage) != len(tc.reported) {
				t.Fatalf("damage reported: %q, want %d lines like %q", damage, len(tc.reported), tc.reported)
			}
			for i, want := range tc.reported {
				if !strings.Contains(damage[i], want) {
					t.Errorf("damage line %d = %q, want it to say %q", i, damage[i], want)
				}
				if !strings.Contains(log, want) {
					t.Errorf("the log does not say %q:\n%s", want, log)
				}
			}
			if tc.logged != "" && !strings.Contains(log, tc.logged) {
				t.Errorf("the log does not say %q:\n%s", tc.logged, log)
			}
		})
	}
}

// Records keep their numbers across restarts: a gap after a restart is still found.
func TestRecordNumbersContinueAcrossRestarts(t *testing.T) {
	dir := crashedWith(t, "a", "b")
	if _, damage, _ := reopen(t, dir); len(damage) != 0 {
		t.Fatalf("clean directory reported %q", damage)
	}
	st := New(dir)
	l := &listSection{}
	if err := st.Open(l.section()); err != nil {
		t.Fatal(err)
	}
	st.Wait(st.Append("list.add", "c"))
	st.Close(false)
	b, _ := os.ReadFile(LogPath(dir, st.logNum))
	if !strings.Contains(string(b), `"n":3,`) {
		t.Errorf("the record after a restart is %s, want number 3", b)
	}
}
