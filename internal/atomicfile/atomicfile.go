package atomicfile

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// bufferBytes is the write buffer of WriteFile. Larger writes, such as a
// checkpoint's tensors, bypass it.
const bufferBytes = 64 << 10

// WriteFile writes the file at path through write, atomically (see the
// package documentation): write receives a buffered writer to a temporary
// file in path's directory, which becomes path, with mode 0644, only if
// write returns nil and the file is flushed, synced and renamed. On failure
// path is untouched, the temporary file is removed, and the error of write,
// unchanged, or of the file system is returned.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+strings.TrimPrefix(base, ".")+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, bufferBytes)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; these are ordinary files.
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// WriteDir creates the directory dir, or replaces it and everything in it,
// atomically (see the package documentation): fill receives the path of an
// empty temporary directory next to dir, mode 0755, and writes the new
// content there; the files it creates need not be synced. The temporary
// directory becomes dir only if fill returns nil and the tree is synced.
// On failure dir is untouched, the temporary directory is removed, and the
// error of fill, unchanged, or of the file system is returned. If only the
// removal of the previous directory fails, the new one is in place and the
// error names the leftover.
func WriteDir(dir string, fill func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, "."+strings.TrimPrefix(filepath.Base(dir), ".")+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes the directory 0700; a saved model is shared like
	// any other directory.
	if err = os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err = fill(tmp); err != nil {
		return err
	}
	if err = syncTree(tmp); err != nil {
		return err
	}
	old, err := replaceDir(tmp, dir)
	if err != nil {
		return err
	}
	syncDir(parent)
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// replaceDir moves the directory tmp to dir, which may exist, and returns
// where the previous dir now is ("" if there was none), for the caller to
// remove.
func replaceDir(tmp, dir string) (old string, err error) {
	if _, err := os.Lstat(dir); err != nil {
		if !os.IsNotExist(err) {
			return "", err
		}
		return "", os.Rename(tmp, dir)
	}
	switch err := exchange(tmp, dir); err {
	case nil:
		return tmp, nil // tmp now holds the previous dir
	case errNoExchange:
	default:
		return "", err
	}
	old = tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return "", err
	}
	return old, nil
}

// syncTree fsyncs every regular file and directory under root, directories
// after their entries.
func syncTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			dirs = append(dirs, path)
			return nil
		case d.Type().IsRegular():
			return syncPath(path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncPath(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir makes a rename in dir durable, where the system can sync a
// directory (not every one can, so errors are ignored).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
