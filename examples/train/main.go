package main

import (
	"context"
	"io"

	"github.com/polyret/polyret/examples/internal/lab"
)

func main() {
	lab.Main("train", func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return run(ctx, args, stdout, stderr, nil)
	})
}
