package datasets

import (
	"slices"
)

// Lang is a language code as the datasets spell it, such as "en", "zh" or "ar".
type Lang string

// A Triplet is one language's view of a training example: a query, its
// positive passage, and zero or more hard-negative passages.
type Triplet struct {
	Query     string
	Positive  string
	Negatives []string
}

// A Tuple is one training example in one or more languages. The triplets of
// a tuple are parallel translations of each other and share the tuple's
// Group id, so a loss can keep them from acting as each other's negatives.
type Tuple struct {
	Group string
	Langs map[Lang]Triplet
}

// A Dataset is a named collection of training tuples.
type Dataset struct {
	Name   string
	Tuples []Tuple
}

// Languages returns the sorted union of the languages of d's tuples.
func (d *Dataset) Languages() []Lang {
	seen := make(map[Lang]struct{})
	for _, t := range d.Tuples {
		for l := range t.Langs {
			seen[l] = struct{}{}
		}
	}
	langs := make([]Lang, 0, len(seen))
	for l := range seen {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	return langs
}
