package atomicfile_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/polyret/polyret/internal/atomicfile"
)

// A run file is either the previous one or the complete new one, even if
// the program dies while writing it.
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.txt")
	err = atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "q1 Q0 doc7 1 12.5 polyret")
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// q1 Q0 doc7 1 12.5 polyret
}
