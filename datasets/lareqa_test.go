package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

type problemFile struct {
	Questions []struct {
		UID     string `json:"uid"`
		XlingID string `json:"xling_id"`
	} `json:"questions"`
	Candidates []struct {
		UID string `json:"uid"`
	} `json:"candidates"`
	Relevant map[string][]string `json:"relevant"`
}

func readProblem(t *testing.T) *problemFile {
	b, err := os.ReadFile("testdata/lareqa/small.problem.json")
	if err != nil {
		t.Fatal(err)
	}
	var p problemFile
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// readLAReQAGold reads a file written by testdata/gen/lareqa_gold.py.
func readLAReQAGold(t *testing.T, name string) (questions, candidates []string, relevant map[string][]string) {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	relevant = map[string][]string{}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		switch f[0] {
		case "Q":
			questions = append(questions, f[1])
		case "C":
			candidates = append(candidates, f[1])
		case "R":
			relevant[f[1]] = strings.Fields(f[2])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return questions, candidates, relevant
}

// checkAgainstLAReQA compares a pooled task with what LAReQA's reference
// load_data built from the same files: the same question uids, the same
// candidate uids, and each query's qrels equal to by_xling_id of its
// question id.
func checkAgainstLAReQA(t *testing.T, task *Task, gold string) {
	questions, candidates, relevant := readLAReQAGold(t, gold)
	var gotQ, gotC []string
	for _, q := range task.Queries {
		gotQ = append(gotQ, q.ID)
	}
	for _, c := range task.Candidates {
		gotC = append(gotC, c.ID)
	}
	// load_data's order follows its dict of languages; compare as sets
	// (sorted), then check there are no duplicates.
	slices.Sort(gotQ)
	slices.Sort(gotC)
	if !slices.Equal(gotQ, slices.Sorted(slices.Values(questions))) {
		t.Errorf("question uids differ from LAReQA's load_data (%d vs %d)", len(gotQ), len(questions))
	}
	if !slices.Equal(gotC, slices.Sorted(slices.Values(candidates))) {
		t.Errorf("candidate uids differ from LAReQA's load_data (%d vs %d)", len(gotC), len(candidates))
	}
	if len(slices.Compact(gotC)) != len(task.Candidates) {
		t.Errorf("duplicate candidate ids")
	}
	bad := 0
	for _, q := range task.Queries {
		got := slices.Sorted(maps.Keys(task.Qrels[q.ID]))
		if want := relevant[q.Group]; !slices.Equal(got, want) {
			if bad++; bad < 5 {
				t.Errorf("qrels[%s] = %v, LAReQA by_xling_id = %v", q.ID, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d queries with qrels unlike LAReQA's", bad)
	}
}
