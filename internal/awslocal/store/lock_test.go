package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestOpenRefusesADirectoryAnotherStoreHolds(t *testing.T) {
	dir := t.TempDir()
	first := New(dir)
	if err := first.Open(); err != nil {
		t.Fatal(err)
	}
	second := New(dir)
	err := second.Open()
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open on a held directory: %v, want ErrLocked", err)
	}
	if want := fmt.Sprintf("held by process %d", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the holder (%q)", err, want)
	}
	if err := first.Close(true); err != nil {
		t.Fatal(err)
	}
	third := New(dir)
	if err := third.Open(); err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	third.Close(true)
}
