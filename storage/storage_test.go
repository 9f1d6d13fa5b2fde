package storage_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

func TestLocal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) string { return t.TempDir() })
}

func TestLocalFileURL(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) string { return "file://" + t.TempDir() })
}

// memRoot returns a fresh memory FS root for one test.
func memRoot(t *testing.T) string {
	host := strings.NewReplacer("/", "_", "#", "_").Replace(t.Name())
	storage.ResetMem(host)
	return fmt.Sprintf("mem://%s/root", host)
}

func TestMem(t *testing.T) {
	storagetest.Run(t, memRoot)
}
