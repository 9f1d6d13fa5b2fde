package storage

// PathError records an error and the operation and URL that caused it. It is
// the storage counterpart of io/fs.PathError: backends return it, and the
// package-level functions wrap any other error in one, so that every error
// names the URL once. errors.Is(err, fs.ErrNotExist) and fs.ErrExist work
// through it for every backend.
type PathError struct {
	Op  string // "open", "create", "stat", "list", "rename", "remove", ...
	URL string // full URL, or a local path
	Err error
}

func (e *PathError) Error() string { return e.Op + " " + e.URL + ": " + e.Err.Error() }

func (e *PathError) Unwrap() error { return e.Err }
