package localapi

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// assetDir is the directory a function runs in: the asset itself when it is a directory (how
// the CDK stages Code.fromAsset), else the asset zip extracted under work.
func assetDir(asset, work string) (string, error) {
	st, err := os.Stat(asset)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return asset, nil
	}
	if !strings.HasSuffix(strings.ToLower(asset), ".zip") {
		return "", fmt.Errorf("asset %s is neither a directory nor a .zip", filepath.Base(asset))
	}
	dest := filepath.Join(work, "code")
	return dest, unzip(asset, dest)
}

// unzip extracts a zip file, refusing entries that would land outside dest.
func unzip(path, dest string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("asset %s: %w", filepath.Base(path), err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		target := filepath.Join(dest, f.Name)
		if !strings.HasPrefix(target, filepath.Clean(dest)+string(os.PathSeparator)) {
			return fmt.Errorf("asset %s: entry %q is outside the archive", filepath.Base(path), f.Name)
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := extractFile(f, target); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(f *zip.File, target string) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	mode := f.Mode().Perm()
	if mode == 0 {
		mode = 0o644
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeInlineCode writes a function's Code.ZipFile where CloudFormation puts it: index.js
// for Node.js (index.mjs would not be found by the default handler), index.py for Python.
func writeInlineCode(work, runtime, code string) (string, error) {
	var name string
	switch {
	case strings.HasPrefix(runtime, "nodejs"):
		name = "index.js"
	case strings.HasPrefix(runtime, "python"):
		name = "index.py"
	default:
		return "", cannot("give the function an asset", "inline code (Code.ZipFile) is only for Node.js and Python runtimes, not %s", runtime)
	}
	dir := filepath.Join(work, "inline")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644)
}
