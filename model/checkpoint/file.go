package checkpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// MaxIndexSize bounds the size of a sharded checkpoint's index file.
const MaxIndexSize = 64 << 20

// ReadFile reads every tensor of the checkpoint file at path, whatever its
// kind:
//   - a safetensors file (ReadSafetensors);
//   - a PyTorch checkpoint such as pytorch_model.bin, in torch.save's zip
//     format or its legacy format (ReadPyTorch);
//   - a sharded checkpoint's index, a file whose name ends in ".index.json"
//     such as model.safetensors.index.json or pytorch_model.bin.index.json:
//     every shard listed in its "weight_map" is read (see ReadSharded).
//
// The kind is taken from the file's first bytes; only when they match no
// kind does the extension choose the reader (".safetensors", or ".bin",
// ".pt", ".pth"), so that the error says what is wrong with the file.
func ReadFile(path string) (map[string]Tensor, error) {
	if strings.HasSuffix(path, ".index.json") {
		return ReadSharded(path)
	}
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	var magic [9]byte
	n, _ := f.ReadAt(magic[:], 0)
	f.Close()
	switch kind := sniff(magic[:n]); kind {
	case kindSafetensors:
		return ReadSafetensors(path)
	case kindZip, kindLegacyTorch:
		return ReadPyTorch(path)
	}
	switch filepath.Ext(path) {
	case ".safetensors":
		return ReadSafetensors(path)
	case ".bin", ".pt", ".pth":
		return ReadPyTorch(path)
	}
	return nil, &FormatError{File: path, Err: fmt.Errorf("%w: %d bytes, neither safetensors nor a PyTorch zip", ErrUnsupported, size)}
}

type fileKind int

const (
	kindUnknown fileKind = iota
	kindSafetensors
	kindZip
	kindLegacyTorch
)

// sniff tells the kind of a checkpoint from its first bytes.
func sniff(b []byte) fileKind {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return kindZip
	case len(b) >= 9 && b[8] == '{':
		return kindSafetensors
	case len(b) >= 2 && b[0] == 0x80 && b[1] <= 5:
		// A pickle protocol header: torch.save's legacy format starts with
		// a pickled magic number.
		return kindLegacyTorch
	}
	return kindUnknown
}

// shardIndex is a sharded checkpoint index as written by transformers.
type shardIndex struct {
	WeightMap map[string]string `json:"weight_map"`
}

// ReadSharded reads a sharded checkpoint from its index file (JSON with a
// "weight_map" from tensor name to shard file name, as written by Hugging
// Face transformers). Shards are read with ReadFile from the index's
// directory; a shard name must be a plain file name in that directory.
// Every tensor the index lists must be in its shard, and every tensor of a
// shard must be listed for that shard: an error wrapping ErrMissing or
// ErrHeader names the file and tensor otherwise.
func ReadSharded(indexPath string) (map[string]Tensor, error) {
	f, size, err := openFile(indexPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > MaxIndexSize {
		return nil, &FormatError{File: indexPath, Err: fmt.Errorf("%w: index of %d bytes > %d", ErrLimit, size, MaxIndexSize)}
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxIndexSize+1))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var idx shardIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, &FormatError{File: indexPath, Err: fmt.Errorf("%w: %v", ErrHeader, err)}
	}
	if idx.WeightMap == nil {
		return nil, &FormatError{File: indexPath, Err: fmt.Errorf("%w: no weight_map", ErrHeader)}
	}
	byShard := make(map[string][]string)
	for name, shard := range idx.WeightMap {
		if shard == "" || shard != filepath.Base(shard) || shard == "." || shard == ".." || strings.ContainsAny(shard, `/\`) {
			return nil, &FormatError{File: indexPath, Tensor: name, Err: fmt.Errorf("%w: shard %q is not a file name", ErrHeader, shard)}
		}
		byShard[shard] = append(byShard[shard], name)
	}
	shards := make([]string, 0, len(byShard))
	for s := range byShard {
		shards = append(shards, s)
	}
	slices.Sort(shards)
	dir := filepath.Dir(indexPath)
	all := make(map[string]Tensor, len(idx.WeightMap))
	for _, shard := range shards {
		path := filepath.Join(dir, shard)
		if strings.HasSuffix(path, ".index.json") {
			return nil, &FormatError{File: indexPath, Err: fmt.Errorf("%w: shard %q is an index", ErrHeader, shard)}
		}
		tensors, err := ReadFile(path)
		if err != nil {
			return nil, err
		}
		for _, name := range byShard[shard] {
			t, ok := tensors[name]
			if !ok {
				return nil, &FormatError{File: path, Tensor: name, Err: fmt.Errorf("%w: listed in %s", ErrMissing, filepath.Base(indexPath))}
			}
			all[name] = t
			delete(tensors, name)
		}
		for name := range tensors {
			return nil, &FormatError{File: path, Tensor: name, Err: fmt.Errorf("%w: not listed for this shard in %s", ErrHeader, filepath.Base(indexPath))}
		}
	}
	return all, nil
}
