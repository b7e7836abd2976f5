package sampler

import (
	"fmt"

	"github.com/polyret/polyret/datasets"
)

// checkFeasible makes sure that every batch layout the sampler can draw
// can be filled from a fresh epoch, so Next never gets stuck: enough
// distinct groups (tuples, with AllowDuplicateGroups) satisfy each
// constraint in the dataset drawn, or in all the datasets that can
// contribute under MixDatasets.
func (h *Hybrid) checkFeasible() error {
	need := h.cfg.BatchSize
	if h.cfg.KeepLast && !h.cfg.MixDatasets {
		need = 1
	}
	cross := wantsCross(h.cfg)
	if h.cfg.MixDatasets {
		return h.checkMixed(need, cross)
	}
	for pi := range h.pools {
		p := &h.pools[pi]
		if h.poolW[pi] == 0 {
			continue
		}
		var cs []constraint
		switch {
		case h.cfg.Strategy == XX:
			cs = append(cs, constraint{kind: anyLang})
		default:
			if p.monoP > 0 {
				for l := range p.langs {
					cs = append(cs, constraint{kind: hasLang, a: l})
				}
			}
			if p.monoP < 1 {
				cs = append(cs, h.crossConstraints(len(p.langs))...)
			}
		}
		for _, c := range cs {
			if got := h.countGroups(need, c, pi); got < need {
				return dataErr("dataset %q has %d %s, but a batch needs %d%s", p.name, got, h.describe(c, p.langs), need, h.dropHint())
			}
		}
	}
	return nil
}

// crossConstraints returns the constraints of CrossLingual batches over l
// languages.
func (h *Hybrid) crossConstraints(l int) []constraint {
	if !h.cfg.PairPerBatch {
		return []constraint{{kind: twoLangs}}
	}
	var cs []constraint
	for x := 0; x < l; x++ {
		for y := 0; y < l; y++ {
			if x != y {
				cs = append(cs, constraint{kind: hasPair, a: x, b: y})
			}
		}
	}
	return cs
}

// checkMixed is checkFeasible under MixDatasets, where constraints are
// in global language ids and datasets pool their groups.
func (h *Hybrid) checkMixed(need int, cross bool) error {
	var cs []constraint
	switch {
	case h.cfg.Strategy == XX:
		cs = append(cs, constraint{kind: anyLang})
	default:
		for g := range h.langs {
			cs = append(cs, constraint{kind: hasLang, a: g})
		}
		if cross {
			cs = append(cs, h.crossConstraints(len(h.langs))...)
		}
	}
	for _, c := range cs {
		var from []int
		for pi := range h.pools {
			if h.contributes(pi, c) {
				from = append(from, pi)
			}
		}
		if len(from) == 0 {
			continue // the layout is never drawn
		}
		if got := h.countGroups(need, c, from...); got < need {
			return dataErr("the datasets have %d %s, but a batch needs %d", got, h.describe(c, h.langs), need)
		}
	}
	return nil
}

// contributes reports whether pool pi can give items to a batch with the
// global constraint c under MixDatasets.
func (h *Hybrid) contributes(pi int, c constraint) bool {
	p := &h.pools[pi]
	if h.poolW[pi] == 0 {
		return false
	}
	switch c.kind {
	case hasLang:
		return p.monoP > 0 && p.local[c.a] >= 0
	case twoLangs:
		return p.monoP < 1
	case hasPair:
		return p.monoP < 1 && p.local[c.a] >= 0 && p.local[c.b] >= 0
	}
	return true
}

// countGroups counts the distinct groups (or tuples, with
// AllowDuplicateGroups) of the given pools that satisfy c, given in global
// ids if there are several pools and in the pool's ids otherwise; it stops
// at need.
func (h *Hybrid) countGroups(need int, c constraint, pools ...int) int {
	h.newStamp()
	got := 0
	for _, pi := range pools {
		p := &h.pools[pi]
		lc := c
		if h.cfg.MixDatasets {
			lc = c.local(p)
		}
		for i := range p.tuples {
			if got >= need {
				return got
			}
			if !p.ok(int32(i), lc) {
				continue
			}
			if !h.cfg.AllowDuplicateGroups {
				if h.seen[p.gid[i]] == h.stamp {
					continue
				}
				h.seen[p.gid[i]] = h.stamp
			}
			got++
		}
	}
	return got
}

func (h *Hybrid) describe(c constraint, langs []datasets.Lang) string {
	unit := "groups"
	if h.cfg.AllowDuplicateGroups {
		unit = "tuples"
	}
	switch c.kind {
	case twoLangs:
		return unit + " in two or more languages"
	case hasLang:
		return fmt.Sprintf("%s in language %q", unit, langs[c.a])
	case hasPair:
		return fmt.Sprintf("%s in both %q and %q", unit, langs[c.a], langs[c.b])
	}
	return unit
}

func (h *Hybrid) dropHint() string {
	if h.cfg.KeepLast {
		return ""
	}
	return " (BatchSize, as the last partial batch of an epoch is dropped)"
}
