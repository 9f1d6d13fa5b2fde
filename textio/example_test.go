package textio_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/crunchgo/crunchgo/textio"
)

// Two byte-range splits of one file: the line the boundary cuts is read by
// the first split only.
func ExampleLineReader() {
	data := "apple\r\nbanana\ncherry"
	size := int64(len(data))
	for _, split := range [][2]int64{{0, 9}, {9, size - 9}} {
		r, err := textio.NewLineReader("fruit.txt", strings.NewReader(data), size, split[0], split[1])
		if err != nil {
			log.Fatal(err)
		}
		for {
			line, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("split at %d: %q\n", split[0], line)
		}
	}
	// Output:
	// split at 0: "apple"
	// split at 0: "banana"
	// split at 9: "cherry"
}
