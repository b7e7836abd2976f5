package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// entries returns the names in dir, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.txt")
	for _, content := range []string{"first\n", "second, longer than the first\n", ""} {
		if err := WriteFile(path, writeString(content)); err != nil {
			t.Fatalf("WriteFile(%q): %v", content, err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != content {
			t.Errorf("after WriteFile(%q) the file holds %q, %v", content, b, err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"run.txt"}) {
		t.Errorf("directory holds %q, want only run.txt", got)
	}

	// A larger write than the buffer, in pieces of every size.
	big := make([]byte, 3*bufferBytes+17)
	for i := range big {
		big[i] = byte(i * 7)
	}
	err := WriteFile(path, func(w io.Writer) error {
		for off, n := 0, 1; off < len(big); off, n = off+n, n*3 {
			if _, err := w.Write(big[off:min(off+n, len(big))]); err != nil {
				return err
			}
		}
		return nil
	})
	if b, _ := os.ReadFile(path); err != nil || string(b) != string(big) {
		t.Errorf("WriteFile of %d bytes: %v; file has %d bytes, equal %v", len(big), err, len(b), string(b) == string(big))
	}
}

// TestWriteFileFailure checks that a failing write leaves the old file and
// no temporary file, and returns write's error unchanged.
func TestWriteFileFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".hidden.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	errBad := errors.New("bad record")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "partial new content")
		return fmt.Errorf("line 3: %w", errBad)
	})
	if !errors.Is(err, errBad) || err.Error() != "line 3: bad record" {
		t.Errorf("WriteFile(failing write) = %v, want write's error unchanged", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q, want %q", b, "old")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("a failed write changed the mode to %v", fi.Mode().Perm())
	}
	if got := entries(t, dir); !slices.Equal(got, []string{".hidden.json"}) {
		t.Errorf("directory holds %q, want only the old file", got)
	}
	if err := WriteFile(filepath.Join(dir, "no", "such", "dir", "x"), writeString("x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteFile into a missing directory = %v, want ErrNotExist", err)
	}
}

// TestWriteFileRelative writes a bare file name: the temporary file goes
// to the working directory.
func TestWriteFileRelative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := WriteFile("qrels.txt", writeString("q 0 d 1\n")); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"qrels.txt"}) {
		t.Errorf("directory holds %q", got)
	}
}

// TestWriteFileConcurrent runs writers of the same file at once: the file
// ends up holding one complete version and no temporary file remains.
func TestWriteFileConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt")
	versions := map[string]bool{}
	var wg sync.WaitGroup
	for i := range 8 {
		content := fmt.Sprintf("version %d %s\n", i, make([]byte, 1000*i))
		versions[content] = true
		wg.Go(func() {
			if err := WriteFile(path, writeString(content)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if b, _ := os.ReadFile(path); !versions[string(b)] {
		t.Errorf("file holds %d bytes that no writer wrote", len(b))
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"ckpt"}) {
		t.Errorf("directory holds %q", got)
	}
}

// fillModel writes a small tree like a saved model's.
func fillModel(tag string) func(string) error {
	return func(tmp string) error {
		if err := os.MkdirAll(filepath.Join(tmp, "1_Pooling"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "config.json"), []byte(tag), 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, "1_Pooling", "config.json"), []byte(tag+" pooling"), 0o644)
	}
}

// checkModel checks that dir holds exactly the tree fillModel(tag) writes.
func checkModel(t *testing.T, dir, tag string) {
	t.Helper()
	if got := entries(t, dir); !slices.Equal(got, []string{"1_Pooling", "config.json"}) {
		t.Errorf("%s holds %q", dir, got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); string(b) != tag {
		t.Errorf("config.json holds %q, want %q", b, tag)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "1_Pooling", "config.json")); string(b) != tag+" pooling" {
		t.Errorf("1_Pooling/config.json holds %q, want %q", b, tag+" pooling")
	}
}

// testWriteDir creates, replaces and fails to replace a directory.
func testWriteDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "model")
	if err := WriteDir(dir, fillModel("v1")); err != nil {
		t.Fatal(err)
	}
	checkModel(t, dir, "v1")
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("directory mode %v, %v; want 0755", fi.Mode().Perm(), err)
	}
	// Replacing removes what the old directory held and nothing new is
	// left beside it.
	os.WriteFile(filepath.Join(dir, "stale.bin"), []byte("x"), 0o644)
	if err := WriteDir(dir+"/", fillModel("v2")); err != nil {
		t.Fatal(err)
	}
	checkModel(t, dir, "v2")
	errFull := errors.New("disk full")
	err := WriteDir(dir, func(tmp string) error {
		fillModel("v3")(tmp)
		return errFull
	})
	if err != errFull {
		t.Errorf("WriteDir(failing fill) = %v, want fill's error unchanged", err)
	}
	checkModel(t, dir, "v2")
	if got := entries(t, parent); !slices.Equal(got, []string{"model"}) {
		t.Errorf("parent holds %q, want only the model", got)
	}
	if err := WriteDir(filepath.Join(parent, "missing", "model"), fillModel("x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteDir under a missing directory = %v, want ErrNotExist", err)
	}
}

func TestWriteDir(t *testing.T) { testWriteDir(t) }

// TestWriteDirTwoRenames runs the same checks on the path of systems that
// cannot exchange two directories in one step.
func TestWriteDirTwoRenames(t *testing.T) {
	defer func(e func(a, b string) error) { exchange = e }(exchange)
	exchange = func(a, b string) error { return errNoExchange }
	testWriteDir(t)
}

// TestWriteDirReplacesFile replaces a plain file by a directory, as the
// two renames of older versions did.
func TestWriteDirReplacesFile(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "model")
	os.WriteFile(dir, []byte("not a directory"), 0o644)
	if err := WriteDir(dir, fillModel("v1")); err != nil {
		t.Fatal(err)
	}
	checkModel(t, dir, "v1")
	if got := entries(t, parent); !slices.Equal(got, []string{"model"}) {
		t.Errorf("parent holds %q", got)
	}
}
