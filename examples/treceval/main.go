package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/polyret/polyret/metrics"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = "usage: treceval [-q] [-c] [-n] [-l N] [-M N] [-m MEASURE[.k,...]]... QRELS RUN"

type config struct {
	perQuery, complete, noSummary bool
	numQ, runID                   bool
	opt                           metrics.Options
	measures                      []metrics.Measure
	qrels, run                    string
}

// exitError carries an exit status.
type exitError struct {
	status int
	err    error
}

func (e *exitError) Error() string { return e.err.Error() }

func fail(status int, format string, args ...any) error {
	return &exitError{status, fmt.Errorf(format, args...)}
}

func run(args []string, stdout, stderr io.Writer) int {
	w := bufio.NewWriter(stdout)
	err := evaluate(args, w)
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = fail(1, "%v", ferr)
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "treceval:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.status
	}
	return 1
}

func parseArgs(args []string) (*config, error) {
	c := &config{}
	var files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			files = append(files, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			files = append(files, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			flag := a[j]
			switch flag {
			case 'q':
				c.perQuery = true
				continue
			case 'c':
				c.complete = true
				continue
			case 'n':
				c.noSummary = true
				continue
			case 'h':
				return nil, fail(1, "%s", usage)
			case 'm', 'l', 'M':
			default:
				return nil, fail(1, "unknown flag -%c\n%s", flag, usage)
			}
			val := a[j+1:]
			if val == "" {
				if i+1 >= len(args) {
					return nil, fail(1, "flag -%c needs a value\n%s", flag, usage)
				}
				i++
				val = args[i]
			}
			if err := c.setValue(flag, val); err != nil {
				return nil, err
			}
			break
		}
	}
	if len(files) != 2 {
		return nil, fail(1, "%s", usage)
	}
	c.qrels, c.run = files[0], files[1]
	if c.measures == nil && !c.numQ && !c.runID {
		c.setValue('m', "official")
	}
	slices.SortFunc(c.measures, metrics.CompareMeasures)
	c.measures = slices.Compact(c.measures)
	if c.complete {
		c.opt.Topics = metrics.TopicsComplete
	}
	return c, nil
}

// officialMeasures are trec_eval's "official" set (its default) besides
// runid and num_q.
var officialMeasures = []string{"num_ret", "num_rel", "num_rel_ret", "map", "gm_map", "Rprec", "bpref", "recip_rank", "iprec_at_recall", "P"}

func (c *config) setValue(flag byte, val string) error {
	switch flag {
	case 'm':
		switch val {
		case "num_q":
			c.numQ = true
			return nil
		case "runid":
			c.runID = true
			return nil
		case "official": // trec_eval's default set, by its name
			c.numQ, c.runID = true, true
			for _, spec := range officialMeasures {
				c.setValue('m', spec)
			}
			return nil
		}
		ms, err := metrics.ParseMeasure(val)
		if err != nil {
			return fail(1, "illegal measure: %v", err)
		}
		c.measures = append(c.measures, ms...)
	case 'l':
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return fail(1, "-l %q: want a relevance level ≥ 0", val)
		}
		c.opt.RelevanceLevel = n
		if n == 0 {
			c.opt.RelevanceLevel = -1 // metrics: negative selects level 0
		}
	case 'M':
		n, err := strconv.Atoi(val)
		if err != nil || n <= 0 {
			return fail(1, "-M %q: want a positive number of documents", val)
		}
		c.opt.MaxDocs = n
	}
	return nil
}

// input is a qrels file or a run read without the library's duplicate
// check, so that, like trec_eval, a duplicate only fails when its topic is
// evaluated.
type input struct {
	qrels metrics.Qrels
	run   metrics.Run
	tag   string
	dups  map[string]error // topic → first duplicate, in qrels or run
}

func evaluate(args []string, w *bufio.Writer) error {
	c, err := parseArgs(args)
	if err != nil {
		return err
	}
	in := &input{qrels: metrics.Qrels{}, run: metrics.Run{}, dups: map[string]error{}}
	if err := in.readQrels(c.qrels); err != nil {
		return fail(2, "%v", err)
	}
	if err := in.readRun(c.run); err != nil {
		return fail(2, "%v", err)
	}
	// Find the first topic that stops trec_eval, and score those before it.
	var stop error
	var topics []string
	for _, topic := range in.qrels.Topics() {
		_, inRun := in.run[topic]
		if !inRun && !c.complete {
			stop = fail(4, "qrels topic %q not found in run %s (-c scores it as 0)", topic, c.run)
			break
		}
		if err := in.dups[topic]; err != nil {
			stop = fail(4, "%v", err)
			break
		}
		topics = append(topics, topic)
	}
	if stop == nil && len(topics) == 0 {
		return fail(7, "no topic has both results and judgements")
	}
	if stop != nil {
		if c.perQuery {
			for _, topic := range topics {
				v, err := metrics.EvaluateTopic(in.qrels[topic], in.run[topic], c.measures, c.opt)
				if err != nil {
					return fail(4, "%v", err)
				}
				printValues(w, c.measures, topic, v)
			}
		}
		return stop
	}
	res, err := metrics.Evaluate(in.qrels, in.run, c.measures, c.opt)
	if err != nil {
		return fail(4, "%v", err)
	}
	if c.perQuery {
		for t, topic := range res.Topics {
			printValues(w, c.measures, topic, res.Values[t])
		}
	}
	if c.noSummary {
		return nil
	}
	if c.runID {
		fmt.Fprintf(w, "%-22s\t%s\t%s\n", "runid", "all", in.tag)
	}
	if c.numQ {
		fmt.Fprintf(w, "%-22s\t%s\t%d\n", "num_q", "all", len(res.Topics))
	}
	printValues(w, c.measures, "all", res.All)
	return nil
}

func printValues(w io.Writer, ms []metrics.Measure, topic string, v []float64) {
	for i, m := range ms {
		if m.Kind == metrics.GMMAP && topic != "all" {
			continue // trec_eval prints gm_map in the summary only
		}
		if m.IsCount() {
			fmt.Fprintf(w, "%-22s\t%s\t%d\n", m, topic, int64(v[i]))
		} else {
			fmt.Fprintf(w, "%-22s\t%s\t%6.4f\n", m, topic, v[i])
		}
	}
}

// recordReader is metrics.QrelsReader or metrics.RunReader.
type recordReader[T any] interface {
	Read() (T, error)
	Line() int
}

// readAll calls each for every record of the file at path, as read by the
// reader that open makes.
func readAll[T any, R recordReader[T]](path string, open func(io.Reader) R, each func(rec T, line int)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := open(bufio.NewReader(f))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		each(rec, r.Line())
	}
}

// noteDup remembers the first duplicate of a topic.
func (in *input) noteDup(path string, line int, topic, doc string) {
	if in.dups[topic] == nil {
		in.dups[topic] = fmt.Errorf("%s:%d: %w %q in topic %q", path, line, metrics.ErrDuplicateDoc, doc, topic)
	}
}

func (in *input) readQrels(path string) error {
	open := func(r io.Reader) *metrics.QrelsReader { return metrics.NewQrelsReader(r, path) }
	return readAll(path, open, func(rec metrics.QrelsRecord, line int) {
		docs := in.qrels[rec.Topic]
		if docs == nil {
			docs = map[string]int{}
			in.qrels[rec.Topic] = docs
		}
		if _, dup := docs[rec.Doc]; dup {
			in.noteDup(path, line, rec.Topic, rec.Doc)
		}
		docs[rec.Doc] = rec.Grade
	})
}

func (in *input) readRun(path string) error {
	open := func(r io.Reader) *metrics.RunReader { return metrics.NewRunReader(r, path, metrics.FormatTREC) }
	seen := map[string]map[string]bool{}
	return readAll(path, open, func(rec metrics.RunRecord, line int) {
		if in.tag == "" {
			in.tag = rec.Tag
		}
		if seen[rec.Topic] == nil {
			seen[rec.Topic] = map[string]bool{}
		}
		if seen[rec.Topic][rec.Doc] {
			in.noteDup(path, line, rec.Topic, rec.Doc)
			return
		}
		seen[rec.Topic][rec.Doc] = true
		in.run[rec.Topic] = append(in.run[rec.Topic], metrics.ScoredDoc{ID: rec.Doc, Score: rec.Score})
	})
}
