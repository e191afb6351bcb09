package api

import (
	"io/fs"
	"strings"
	"testing/fstest"
)

// overlayFS adds one file to the embedded templates, for tests of broken templates.
type overlayFS struct {
	base fs.ReadFileFS
	name string
	text string
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if name == "templates/"+o.name {
		return fstest.MapFS{name: {Data: []byte(o.text)}}.Open(name)
	}
	return o.base.Open(name)
}

func (o overlayFS) ReadFile(name string) ([]byte, error) {
	if strings.TrimPrefix(name, "templates/") == o.name {
		return []byte(o.text), nil
	}
	return o.base.ReadFile(name)
}
