//go:build unix

package lambdalocal

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuild(t *testing.T) {
	t.Parallel()
	mod := moduleDir(t)
	t.Run("writes a bootstrap binary, quickly and identically when nothing changed", func(t *testing.T) {
		bin := fixture(t, "greeting") // built once already
		before, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(bin) != "bootstrap" {
			t.Errorf("binary %s, want it named bootstrap", bin)
		}
		began := time.Now()
		again, err := Build(context.Background(), mod, "./lambda/greeting", filepath.Dir(bin))
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(began)
		after, err := os.ReadFile(again)
		if err != nil {
			t.Fatal(err)
		}
		if again != bin || !bytes.Equal(after, before) {
			t.Errorf("the second build wrote %s, different from the first", again)
		}
		if took > 10*time.Second {
			t.Errorf("an up-to-date build took %v", took)
		}
		t.Logf("up-to-date build: %v", took)
	})
	t.Run("returns go's own output when the build fails", func(t *testing.T) {
		_, err := Build(context.Background(), mod, "./internal/lambdalocal/testdata/broken", t.TempDir())
		if err == nil {
			t.Fatal("Build of a package that does not compile succeeded")
		}
		for _, want := range []string{"build ./internal/lambdalocal/testdata/broken", "main.go:5", "cannot use \"not a number\""} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
	t.Run("stops when its context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Build(ctx, mod, "./lambda/greeting", t.TempDir()); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("Build with a cancelled context: %v", err)
		}
	})
}

func TestBuildIsForThisHost(t *testing.T) {
	// A shell set up for the cloud build must not leak into the local one.
	t.Setenv("GOOS", "windows")
	t.Setenv("GOARCH", "arm64")
	t.Setenv("CGO_ENABLED", "1")
	bin, err := Build(context.Background(), moduleDir(t), "./lambda/greeting", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFunction(FunctionConfig{Name: "host", Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(`{"greeter":"Ann"}`))
	if err != nil || res.FunctionError != "" || !strings.Contains(string(res.Payload), "Hello, Ann!") {
		t.Errorf("the binary did not run here: %v %q %s", err, res.FunctionError, res.Payload)
	}
}
