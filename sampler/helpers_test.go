package sampler_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/polyret/polyret/datasets"
)

// parallelData returns a dataset of n tuples, each in every one of langs,
// with groups "<name>-<i>" and negs hard negatives per triplet.
func parallelData(name string, n int, langs []datasets.Lang, negs int) datasets.Dataset {
	d := datasets.Dataset{Name: name, Tuples: make([]datasets.Tuple, n)}
	for i := range d.Tuples {
		t := datasets.Tuple{Group: fmt.Sprintf("%s-%d", name, i), Langs: make(map[datasets.Lang]datasets.Triplet, len(langs))}
		for _, l := range langs {
			t.Langs[l] = triplet(name, l, i, negs)
		}
		d.Tuples[i] = t
	}
	return d
}

// partialData returns a dataset of n tuples, each in a random non-empty
// subset of langs (seeded), with groups "<name>-<i>".
func partialData(name string, n int, langs []datasets.Lang, seed uint64) datasets.Dataset {
	r := rand.New(rand.NewPCG(seed, 7))
	d := datasets.Dataset{Name: name, Tuples: make([]datasets.Tuple, n)}
	for i := range d.Tuples {
		t := datasets.Tuple{Group: fmt.Sprintf("%s-%d", name, i), Langs: map[datasets.Lang]datasets.Triplet{}}
		for len(t.Langs) == 0 {
			for _, l := range langs {
				if r.IntN(2) == 0 {
					t.Langs[l] = triplet(name, l, i, 1)
				}
			}
		}
		d.Tuples[i] = t
	}
	return d
}

func triplet(name string, l datasets.Lang, i, negs int) datasets.Triplet {
	tr := datasets.Triplet{
		Query:    fmt.Sprintf("q/%s/%s/%d", name, l, i),
		Positive: fmt.Sprintf("p/%s/%s/%d", name, l, i),
	}
	for k := range negs {
		tr.Negatives = append(tr.Negatives, fmt.Sprintf("n/%s/%s/%d/%d", name, l, i, k))
	}
	return tr
}

func langs(codes ...string) []datasets.Lang {
	out := make([]datasets.Lang, len(codes))
	for i, c := range codes {
		out[i] = datasets.Lang(c)
	}
	return out
}
