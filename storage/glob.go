package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Glob returns the files and directories matching pattern, sorted by URL.
// The pattern is a URL or local path whose path segments may use
//
//	syntax  matches
//	*       any run of characters except '/'
//	?       any one character except '/'
//	[a-c]   one character from a class (ranges allowed); [!a] or [^a] negates
//	{x,y}   either alternative (alternatives may nest and may contain '/')
//	\c      the character c literally
//
// in any segment, including directories (hdfs://nn/logs/*/part-*). As in a
// shell, a wildcard does not match a leading '.' in a name, so in-progress
// files of Create (".name.tmp-...") and other dot files are not matched
// unless the pattern spells the dot. No match is an empty result, not an
// error; a malformed pattern is an error.
func Glob(ctx context.Context, pattern string) ([]FileInfo, error) {
	pats := expandBraces(pattern)
	if len(pats) > maxAlternatives {
		return nil, &PathError{Op: "glob", URL: pattern, Err: fmt.Errorf("more than %d {,} alternatives", maxAlternatives)}
	}
	seen := map[string]bool{}
	var out []FileInfo
	for _, pat := range pats {
		fsys, p, err := Resolve(ctx, pat)
		if err != nil {
			return nil, err
		}
		infos, err := globFS(ctx, fsys, p)
		if err != nil {
			return nil, wrap("glob", pattern, err)
		}
		for _, fi := range infos {
			if !seen[fi.URL] {
				seen[fi.URL] = true
				out = append(out, fi)
			}
		}
	}
	slices.SortFunc(out, func(a, b FileInfo) int { return strings.Compare(a.URL, b.URL) })
	if out == nil {
		out = []FileInfo{}
	}
	return out, nil
}

// globFS matches a brace-free pattern p inside fsys, one segment at a time:
// literal segments are appended, wildcard segments list the directories
// reached so far.
func globFS(ctx context.Context, fsys FS, p string) ([]FileInfo, error) {
	clean := path.Clean(p)
	root, rest := ".", clean
	if strings.HasPrefix(clean, "/") {
		root, rest = "/", clean[1:]
	}
	segs := strings.Split(rest, "/")
	first := slices.IndexFunc(segs, hasMeta)
	if rest == "" || rest == "." || first < 0 {
		return statIfExists(ctx, fsys, unescape(clean))
	}
	for _, s := range segs[first:] {
		if hasMeta(s) {
			if _, err := path.Match(classNegation(s), ""); err != nil {
				return nil, fmt.Errorf("bad pattern segment %q: %w", s, err)
			}
		}
	}
	dirs := []string{root}
	if first > 0 {
		dirs[0] = joinPath(root, unescape(strings.Join(segs[:first], "/")))
	}
	var out []FileInfo
	for i, seg := range segs[first:] {
		last := first+i == len(segs)-1
		var next []string
		for _, d := range dirs {
			if !hasMeta(seg) {
				q := joinPath(d, unescape(seg))
				if !last {
					next = append(next, q)
					continue
				}
				infos, err := statIfExists(ctx, fsys, q)
				if err != nil {
					return nil, err
				}
				out = append(out, infos...)
				continue
			}
			entries, err := fsys.List(ctx, d)
			if err != nil {
				if skip, serr := notADir(ctx, fsys, d, err); skip {
					continue
				} else if serr != nil {
					return nil, serr
				}
			}
			for _, e := range entries {
				if !matchSegment(seg, e.Name) {
					continue
				}
				if last {
					out = append(out, e)
				} else if e.IsDir {
					next = append(next, joinPath(d, e.Name))
				}
			}
		}
		dirs = next
	}
	return out, nil
}

// notADir decides what a failed List of d means for a glob: a missing d or a
// file at d is no match (skip), anything else is an error.
func notADir(ctx context.Context, fsys FS, d string, listErr error) (skip bool, err error) {
	if errors.Is(listErr, fs.ErrNotExist) {
		return true, nil
	}
	if fi, serr := fsys.Stat(ctx, d); serr == nil && !fi.IsDir {
		return true, nil
	}
	return false, listErr
}

func statIfExists(ctx context.Context, fsys FS, p string) ([]FileInfo, error) {
	fi, err := fsys.Stat(ctx, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return []FileInfo{fi}, nil
}

func joinPath(dir, name string) string {
	switch dir {
	case ".":
		return name
	case "/":
		return "/" + name
	}
	return dir + "/" + name
}

// hasMeta reports whether s holds an unescaped *, ? or [.
func hasMeta(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// unescape removes the backslashes of a pattern without meta characters.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// classNegation rewrites the shell's [!...] into path.Match's [^...].
func classNegation(s string) string {
	if !strings.Contains(s, "[!") {
		return s
	}
	b := []byte(s)
	inClass := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\\':
			i++
		case !inClass && b[i] == '[':
			inClass = true
			if i+1 < len(b) && b[i+1] == '!' {
				b[i+1] = '^'
			}
		case inClass && b[i] == ']':
			inClass = false
		}
	}
	return string(b)
}

// matchSegment matches one name against one path segment pattern, which
// has been validated already.
func matchSegment(pattern, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
		return false
	}
	ok, _ := path.Match(classNegation(pattern), name)
	return ok
}

// MatchSegment reports whether name, an entry of a directory, is one that
// a glob's segment pattern selects there, as Glob matches it: with {a,b}
// alternatives, [!...] classes and escapes, and a leading dot only matched
// by a dot. An invalid pattern matches nothing (Glob refuses it).
func MatchSegment(pattern, name string) bool {
	for _, alt := range expandBraces(pattern) {
		if matchSegment(alt, name) {
			return true
		}
	}
	return false
}

// maxAlternatives bounds brace expansion: "{a,b}" repeated 20 times would
// otherwise ask for a million globs.
const maxAlternatives = 1024

// expandBraces expands the first unescaped {a,b,...} group outside a
// character class, recursively, so "x{a,b{c,d}}" gives xa, xbc, xbd. An
// unmatched '{' is kept literally. It stops early once the result holds more
// than maxAlternatives patterns.
func expandBraces(pat string) []string {
	start, end := -1, -1
	var commas []int
	depth, inClass := 0, false
scan:
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '{':
			if depth == 0 {
				start = i
			}
			depth++
		case c == ',' && depth == 1:
			commas = append(commas, i)
		case c == '}' && depth > 0:
			depth--
			if depth == 0 {
				end = i
				break scan
			}
		}
	}
	if start < 0 || end < 0 {
		return []string{pat}
	}
	var out []string
	prev := start + 1
	for _, c := range append(commas, end) {
		alt := pat[:start] + pat[prev:c] + pat[end+1:]
		out = append(out, expandBraces(alt)...)
		if len(out) > maxAlternatives {
			return out
		}
		prev = c + 1
	}
	return out
}

// CommaHint is added to the error for a pattern that matches nothing
// when it holds a comma and no braces: Hadoop's FileInputFormat and
// Spark take "a,b" as two inputs, but here a comma is part of a name
// (names may hold one), and braces list alternatives. Quoted, as a shell
// would split an unquoted {a,b} into two arguments.
func CommaHint(pattern string) string {
	if !strings.Contains(pattern, ",") || strings.ContainsAny(pattern, "{}") {
		return ""
	}
	return fmt.Sprintf(" (a comma does not separate inputs: for several, give the brace form '{%s}', quoted so that the shell passes it on)", pattern)
}

// NoMatch is the error of operation op for a path, directory or glob that
// nothing is at, in the one wording every tool uses: "no such file or
// directory", with CommaHint's hint. errors.Is(err, fs.ErrNotExist) holds.
func NoMatch(op, pattern string) error {
	return &PathError{Op: op, URL: pattern, Err: notExist("no such file or directory" + CommaHint(pattern))}
}

// notExist is why a path reads as missing: it says so in its own words,
// without fs.ErrNotExist's "file does not exist" after them, and matches
// fs.ErrNotExist.
type notExist string

func (e notExist) Error() string        { return string(e) }
func (e notExist) Is(target error) bool { return target == fs.ErrNotExist }

// ListedDir splits an input pattern into the directory a listing of it
// reads entries of and the pattern those entries must match: a path
// without wildcards is itself and "" (a directory lists its entries; a file
// lists nothing); a glob whose wildcards are all in its last segment is the
// directory before that segment ("." for a bare "*.txt", "/" for "/*") and
// the segment. A glob with wildcards before its last segment reads only
// what lies below the directories they match: ok is false.
func ListedDir(pattern string) (dir, glob string, ok bool) {
	if !strings.ContainsAny(pattern, "*?[{") {
		return pattern, "", true
	}
	i := strings.LastIndexByte(pattern, '/')
	if i < 0 {
		return ".", pattern, true
	}
	dir = pattern[:i]
	if strings.ContainsAny(dir, "*?[{") {
		return "", "", false
	}
	if dir == "" || strings.HasSuffix(dir, "/") {
		dir = pattern[:i+1] // the root: "/", "file:///"
	}
	return dir, pattern[i+1:], true
}
