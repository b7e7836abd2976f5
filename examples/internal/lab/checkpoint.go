package lab

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/polyret/polyret/internal/atomicfile"
	"github.com/polyret/polyret/model"
)

// Checkpoint layout: root holds one directory per checkpoint and a file
// "latest" naming the newest complete one.
//
//	root/latest                       "step-00000200\n"
//	root/step-00000200/model/         model.Save
//	root/step-00000200/optimizer.safetensors
//	root/step-00000200/sampler.bin    the sampler's MarshalBinary
//	root/step-00000200/state.json     the caller's state (step, config, history)
//
// A checkpoint directory is written under a temporary name, synced and
// renamed; then "latest" is replaced atomically. So a crash at any point
// leaves "latest" naming a complete checkpoint (or absent), and nothing a
// failing run does afterwards touches it.
const (
	latestFile    = "latest"
	modelDir      = "model"
	optimizerFile = "optimizer.safetensors"
	samplerFile   = "sampler.bin"
	stateFile     = "state.json"
)

// ErrNoCheckpoint is returned by LatestCheckpoint when root holds none.
var ErrNoCheckpoint = errors.New("no checkpoint")

// SaveCheckpoint writes a checkpoint of step into root: the model, the
// optimizer state, the sampler state and state (any JSON-encodable value,
// typically the step, the configuration and the loss history), then makes
// it the latest and removes all but the keep newest checkpoints (keep ≤ 0
// keeps them all). It returns the checkpoint's directory.
func SaveCheckpoint(root string, step int, m *model.Model, opt *model.AdamW, s encoding.BinaryMarshaler, state any, keep int) (string, error) {
	name := fmt.Sprintf("step-%08d", step)
	final := filepath.Join(root, name)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	// WriteDir fills a temporary sibling, syncs it and swaps it in, so a
	// stale directory of an abandoned run is replaced whole.
	err := atomicfile.WriteDir(final, func(tmp string) error {
		return writeCheckpoint(tmp, m, opt, s, state)
	})
	if err != nil {
		return "", fmt.Errorf("checkpoint %s: %w", final, err)
	}
	err = WriteFile(filepath.Join(root, latestFile), func(w io.Writer) error {
		_, err := io.WriteString(w, name+"\n")
		return err
	})
	if err != nil {
		return "", err
	}
	if keep > 0 {
		if err := prune(root, name, keep); err != nil {
			return "", err
		}
	}
	return final, nil
}

func writeCheckpoint(dir string, m *model.Model, opt *model.AdamW, s encoding.BinaryMarshaler, state any) error {
	if err := m.Save(filepath.Join(dir, modelDir)); err != nil {
		return err
	}
	if err := opt.Save(filepath.Join(dir, optimizerFile)); err != nil {
		return err
	}
	data, err := s.MarshalBinary()
	if err != nil {
		return fmt.Errorf("sampler state: %w", err)
	}
	if err := WriteFile(filepath.Join(dir, samplerFile), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return err
	}
	js, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := WriteFile(filepath.Join(dir, stateFile), func(w io.Writer) error {
		_, err := w.Write(append(js, '\n'))
		return err
	}); err != nil {
		return err
	}
	return nil
}

// prune removes the checkpoints of root older than the keep newest, never
// the latest one.
func prune(root, latest string, keep int) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "step-") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // zero-padded: lexical order is step order
	for i, n := range names {
		if i < len(names)-keep && n != latest {
			if err := os.RemoveAll(filepath.Join(root, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// LatestCheckpoint returns the directory of the latest complete checkpoint
// in root, or an error wrapping ErrNoCheckpoint if there is none.
func LatestCheckpoint(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, latestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", root, ErrNoCheckpoint)
	}
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(data))
	if !strings.HasPrefix(name, "step-") || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s: bad latest checkpoint name %q", root, name)
	}
	return filepath.Join(root, name), nil
}

// CheckpointModel returns the model directory of checkpoint dir, for
// model.Load.
func CheckpointModel(dir string) string { return filepath.Join(dir, modelDir) }

// RestoreCheckpoint restores the optimizer and sampler states of
// checkpoint dir into opt (built over the Params of the model loaded from
// CheckpointModel(dir)) and s, and decodes its state.json into state.
func RestoreCheckpoint(dir string, opt *model.AdamW, s encoding.BinaryUnmarshaler, state any) error {
	if err := ReadCheckpointState(dir, state); err != nil {
		return err
	}
	if err := opt.Load(filepath.Join(dir, optimizerFile)); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(dir, samplerFile))
	if err != nil {
		return err
	}
	if err := s.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, samplerFile), err)
	}
	return nil
}

// ReadCheckpointState decodes the state.json of checkpoint dir into state,
// for checks before restoring.
func ReadCheckpointState(dir string, state any) error {
	js, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(js, state); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return nil
}
