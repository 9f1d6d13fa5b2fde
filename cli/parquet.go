package cli

import (
	"fmt"

	"github.com/crunchgo/crunchgo/storage"
)

// openParquet needs an untyped per-file reader from parquetio (schema,
// footer metadata, rows as generic values), which it does not offer yet.
func openParquet(path string, f storage.File) (dataFile, error) {
	return nil, fmt.Errorf("%s: the file tools cannot read Parquet yet: parquetio has no untyped per-file reader", path)
}
