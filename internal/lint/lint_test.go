package lint

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// root is the module root, two levels up from this package.
const root = "../.."

// perRecord are the packages whose code runs for every record: they must be
// specialised at plan time, not reflect at run time.
var perRecord = []string{
	"runner/internal/kernel",
	"runner/internal/shuffle",
	"runner/mem",
	"runner/local",
	"runner/hadoop",
}

// packages returns every package directory of the main module (skipping
// testdata, hidden directories and nested modules).
func packages(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own
			}
		}
		gofiles, _ := filepath.Glob(filepath.Join(path, "*.go"))
		for _, f := range gofiles {
			if !strings.HasSuffix(f, "_test.go") {
				dirs = append(dirs, path)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestEveryPackageHasDocGo checks that every library package documents its
// model in doc.go; a command (package main) may keep its doc comment in
// main.go, as Go commands do.
func TestEveryPackageHasDocGo(t *testing.T) {
	for _, dir := range packages(t) {
		rel, _ := filepath.Rel(root, dir)
		doc := filepath.Join(dir, "doc.go")
		if _, err := os.Stat(doc); err != nil {
			doc = filepath.Join(dir, "main.go")
		}
		f, err := parser.ParseFile(token.NewFileSet(), doc, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil || (f.Name.Name != "main" && filepath.Base(doc) != "doc.go") {
			t.Errorf("%s: no doc.go (%v)", rel, err)
			continue
		}
		if f.Doc == nil || len(strings.TrimSpace(f.Doc.Text())) < 40 {
			t.Errorf("%s: the package comment should describe the package's model and constraints", rel)
		}
	}
}

func TestNoReflectionPerRecord(t *testing.T) {
	for _, pkg := range perRecord {
		dir := filepath.Join(root, pkg)
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == "reflect" || p == "encoding/gob" || p == "encoding/json" && pkg == "runner/internal/kernel" {
					t.Errorf("%s imports %s: per-record packages must not reflect", path, p)
				}
			}
		}
	}
}
