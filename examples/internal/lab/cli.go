package lab

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/polyret/polyret/model"
)

// Main runs a command's run function with a context cancelled by Ctrl-C
// and exits: status 0 on success, 2 for -h, 1 after printing "name: error"
// to standard error otherwise.
func Main(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
		os.Exit(0)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	os.Exit(1)
}

// PrefixesUsage describes the -prefixes flag of the commands.
const PrefixesUsage = `query and passage prefixes: paper ("Query: ", "Passage: ") or none`

// ParsePrefixes returns the model.Options.Prefixes that a -prefixes flag
// value selects: "paper", the paper's "Query: " and "Passage: " (Default),
// or "none" (Off).
func ParsePrefixes(s string) (model.Toggle, error) {
	switch s {
	case "paper":
		return model.Default, nil
	case "none":
		return model.Off, nil
	}
	return 0, fmt.Errorf("-prefixes %q: want paper or none", s)
}

// SplitList splits a comma-separated flag value into its non-empty,
// trimmed elements.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
