package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/polyret/polyret/model"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

type input struct {
	Text *string `json:"text"`
	IDs  []int32 `json:"ids"`
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	dir := fs.String("model", "", "model directory")
	pooling := fs.String("pooling", "", "override the pooling: cls, mean, max or pooler")
	normalize := fs.String("normalize", "", "override L2 normalisation: on or off")
	role := fs.String("role", "", "prefix texts as a query or a passage (\"Query: \", \"Passage: \")")
	hidden := fs.Bool("hidden", false, "write the last hidden state instead of the embedding")
	batch := fs.Int("batch", 32, "lines encoded at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-model is required")
	}
	if *batch < 1 {
		return errors.New("-batch must be positive")
	}
	opts := model.Options{}
	switch *pooling {
	case "":
	case "cls":
		opts.Pooling = model.PoolCLS
	case "mean":
		opts.Pooling = model.PoolMean
	case "max":
		opts.Pooling = model.PoolMax
	case "pooler":
		opts.Pooling = model.PoolPooler
	default:
		return fmt.Errorf("-pooling %q: want cls, mean, max or pooler", *pooling)
	}
	switch *normalize {
	case "":
	case "on":
		opts.Normalize = model.On
	case "off":
		opts.Normalize = model.Off
	default:
		return fmt.Errorf("-normalize %q: want on or off", *normalize)
	}
	m, err := model.Load(ctx, *dir, opts)
	if err != nil {
		return err
	}
	prefix := ""
	switch *role {
	case "":
	case "query":
		prefix = m.Queries().Prefix()
	case "passage":
		prefix = m.Passages().Prefix()
	default:
		return fmt.Errorf("-role %q: want query or passage", *role)
	}
	w := bufio.NewWriter(stdout)
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var seqs [][]int32
	line := 0
	flush := func() error {
		if len(seqs) == 0 {
			return nil
		}
		if err := write(ctx, w, m, seqs, *hidden); err != nil {
			return fmt.Errorf("lines %d..%d: %w", line-len(seqs)+1, line, err)
		}
		seqs = seqs[:0]
		return nil
	}
	for sc.Scan() {
		line++
		var in input
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		switch {
		case in.Text != nil && in.IDs == nil:
			ids, err := m.Tokenize([]string{prefix + *in.Text})
			if err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			seqs = append(seqs, ids[0])
		case in.IDs != nil && in.Text == nil:
			seqs = append(seqs, in.IDs)
		default:
			return fmt.Errorf("line %d: want exactly one of \"text\" and \"ids\"", line)
		}
		if len(seqs) == *batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", line+1, err)
	}
	if err := flush(); err != nil {
		return err
	}
	return w.Flush()
}

// write encodes seqs and writes one JSON line per sequence.
func write(ctx context.Context, w *bufio.Writer, m *model.Model, seqs [][]int32, hidden bool) error {
	var buf []byte
	if hidden {
		states, err := m.HiddenStates(seqs)
		if err != nil {
			return err
		}
		for _, s := range states {
			buf = append(buf[:0], `{"last_hidden_state":[`...)
			for i, row := range s {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = appendRow(buf, row)
			}
			buf = append(buf, "]}\n"...)
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}
	emb, err := m.EmbedIDs(ctx, seqs)
	if err != nil {
		return err
	}
	for _, row := range emb {
		buf = append(buf[:0], `{"embedding":`...)
		buf = appendRow(buf, row)
		buf = append(buf, "}\n"...)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// appendRow appends row as a JSON array of shortest float32 decimals.
func appendRow(buf []byte, row []float32) []byte {
	buf = append(buf, '[')
	for i, v := range row {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
	}
	return append(buf, ']')
}
