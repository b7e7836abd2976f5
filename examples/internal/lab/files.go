package lab

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/polyret/polyret/internal/atomicfile"
)

// WriteFile writes the file at path atomically (internal/atomicfile: a
// synced temporary file renamed over path), creating its directory if
// needed, so path holds either its old content or the complete new one.
func WriteFile(path string, write func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}
