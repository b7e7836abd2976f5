package sampler

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
)

// The state encoding, version 1, all integers unsigned varints unless
// noted:
//
//	"PRHY" 0x01                 magic and version
//	fingerprint                 8 bytes, little-endian (data and config)
//	len, rand.PCG state          the generator of batch and item draws
//	step, epochs (the saver's Config.Epochs), done (1 byte)
//	per dataset: epoch, exhausted (1 byte), frontier, nbits, ⌈nbits/8⌉ bytes
//
// where the bits mark the taken positions frontier, frontier+1, … of the
// epoch's permutation, which is itself regenerated from the seed. The
// encoding is canonical (minimal varints, no trailing bits), so decoding
// then encoding gives back the same bytes.

var stateMagic = []byte("PRHY\x01")

// MarshalBinary implements encoding.BinaryMarshaler: it returns the
// sampler's position after the last batch Next returned. The state is
// small: a few bytes per dataset plus one bit per tuple between the
// earliest and latest tuple taken out of order in the current epochs.
// MarshalBinary does not change h.
func (h *Hybrid) MarshalBinary() ([]byte, error) {
	rs, err := h.rng.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := append([]byte(nil), stateMagic...)
	b = binary.LittleEndian.AppendUint64(b, h.fingerprint())
	b = binary.AppendUvarint(b, uint64(len(rs)))
	b = append(b, rs...)
	b = binary.AppendUvarint(b, h.step)
	b = binary.AppendUvarint(b, uint64(h.cfg.Epochs))
	b = append(b, boolByte(h.done))
	for i := range h.pools {
		p := &h.pools[i]
		b = binary.AppendUvarint(b, p.epoch)
		b = append(b, boolByte(p.exhausted))
		b = binary.AppendUvarint(b, uint64(p.frontier))
		nbits := 0
		for w := len(p.taken) - 1; w >= 0 && w >= p.frontier>>6; w-- {
			if p.taken[w] != 0 {
				// Every position before frontier is taken, and frontier is not.
				nbits = max(0, w*64+63-bits.LeadingZeros64(p.taken[w])-p.frontier+1)
				break
			}
		}
		b = binary.AppendUvarint(b, uint64(nbits))
		start := len(b)
		b = append(b, make([]byte, (nbits+7)/8)...)
		for k := range nbits {
			pos := p.frontier + k
			if p.taken[pos>>6]&(1<<(pos&63)) != 0 {
				b[start+k/8] |= 1 << (k % 8)
			}
		}
	}
	return b, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler: it restores a
// state from MarshalBinary of a sampler built with the same data and
// Config, except that Epochs, Rank and WorldSize may differ (to extend a
// run, or to resume on another number of ranks). Next then continues
// exactly as the saved sampler would have; a state saved after io.EOF and
// restored with more Epochs (or 0) goes on sampling.
//
// UnmarshalBinary returns an error wrapping ErrState, and leaves h
// unchanged, if data is corrupt, comes from another sampler, or records
// more epochs than Config.Epochs. It allocates nothing in proportion to
// sizes read from data.
func (h *Hybrid) UnmarshalBinary(data []byte) error {
	type poolState struct {
		epoch     uint64
		exhausted bool
		frontier  int
		bits      []byte
		nbits     int
	}
	r := stateReader{b: data}
	if !r.prefix(stateMagic) {
		return stateErr("bad magic or version")
	}
	if fp, ok := r.uint64LE(); !ok || fp != h.fingerprint() {
		return stateErr("saved by a sampler with other data or another configuration")
	}
	var rng rand.PCG
	if n, ok := r.uvarint(); !ok || n > 64 {
		return stateErr("bad generator state length")
	} else if rb, ok := r.bytes(int(n)); !ok || rng.UnmarshalBinary(rb) != nil {
		return stateErr("bad generator state")
	}
	step, ok1 := r.uvarint()
	savedEpochs, ok2 := r.uvarint()
	done, ok3 := r.flag()
	if !ok1 || !ok2 || !ok3 {
		return stateErr("bad step")
	}
	finished, finishedNow := false, false // a dataset did its saved, or current, Epochs
	ps := make([]poolState, len(h.pools))
	for i := range h.pools {
		n := uint64(len(h.pools[i].tuples))
		s := &ps[i]
		var ok [4]bool
		var frontier, nbits uint64
		s.epoch, ok[0] = r.uvarint()
		s.exhausted, ok[1] = r.flag()
		frontier, ok[2] = r.uvarint()
		nbits, ok[3] = r.uvarint()
		if ok != [4]bool{true, true, true, true} || frontier > n || nbits > n-frontier {
			return stateErr("dataset %d: bad epoch position", i)
		}
		if h.cfg.Epochs > 0 && s.epoch > uint64(h.cfg.Epochs) {
			return stateErr("dataset %d is in epoch %d, beyond Epochs = %d", i, s.epoch, h.cfg.Epochs)
		}
		if savedEpochs > 0 && s.epoch > savedEpochs {
			return stateErr("dataset %d is in epoch %d, beyond the saved Epochs = %d", i, s.epoch, savedEpochs)
		}
		finished = finished || (savedEpochs > 0 && s.epoch == savedEpochs)
		finishedNow = finishedNow || (h.cfg.Epochs > 0 && s.epoch == uint64(h.cfg.Epochs))
		if s.epoch == 0 && (s.exhausted || frontier != 0 || nbits != 0) {
			return stateErr("dataset %d: position before its first epoch", i)
		}
		s.frontier, s.nbits = int(frontier), int(nbits)
		var okBits bool
		if s.bits, okBits = r.bytes((s.nbits + 7) / 8); !okBits {
			return stateErr("dataset %d: truncated", i)
		}
		if s.nbits > 0 {
			last := s.bits[len(s.bits)-1]
			if s.bits[0]&1 != 0 || last&(1<<((s.nbits-1)%8)) == 0 || last>>((s.nbits-1)%8+1) != 0 {
				return stateErr("dataset %d: non-canonical taken bits", i)
			}
		}
	}
	if len(r.b) != 0 {
		return stateErr("%d trailing bytes", len(r.b))
	}
	if done && !finished {
		return stateErr("ended before any dataset did its epochs")
	}

	*h.rng = rng
	// An ended run restored with more Epochs goes on.
	h.step, h.done = step, done && finishedNow
	for i := range h.pools {
		p, s := &h.pools[i], &ps[i]
		p.epoch = s.epoch
		if p.epoch == 0 {
			if p.order != nil {
				p.frontier = 0
				clear(p.taken)
				clear(p.cursors)
			}
			continue
		}
		p.resetEpoch(h.cfg.Seed, i, h.cfg.PairPerBatch)
		p.exhausted = s.exhausted
		for pos := range s.frontier {
			p.taken[pos>>6] |= 1 << (pos & 63)
		}
		for k := range s.nbits {
			if s.bits[k/8]&(1<<(k%8)) != 0 {
				pos := s.frontier + k
				p.taken[pos>>6] |= 1 << (pos & 63)
			}
		}
		p.frontier = s.frontier
	}
	return nil
}

// fingerprint hashes what decides the sequence of batches: the data's
// shape and the Config, except Epochs, Rank and WorldSize.
// It is computed once, on first use.
func (h *Hybrid) fingerprint() uint64 {
	if h.fp != 0 {
		return h.fp
	}
	h.fp = h.hashShape() | 1
	return h.fp
}

func (h *Hybrid) hashShape() uint64 {
	f := fnv.New64a()
	var buf []byte
	u := func(x uint64) { buf = binary.AppendUvarint(buf, x) }
	str := func(s string) { u(uint64(len(s))); buf = append(buf, s...) }
	c := &h.cfg
	u(uint64(c.Strategy))
	u(math.Float64bits(c.alpha))
	u(uint64(c.BatchSize))
	u(c.Seed)
	u(uint64(c.Negatives))
	for _, b := range []bool{c.KeepLast, c.PairPerBatch, c.NegativesInQueryLang, c.MixDatasets, c.AllowDuplicateGroups} {
		buf = append(buf, boolByte(b))
	}
	for _, w := range h.poolW {
		u(w)
	}
	for i := range h.pools {
		p := &h.pools[i]
		str(p.name)
		u(uint64(len(p.tuples)))
		for l, lang := range p.langs {
			str(string(lang))
			u(p.langW[l])
		}
		for _, m := range p.masks {
			u(m)
		}
		f.Write(buf)
		buf = buf[:0]
		for j := range p.tuples {
			str(p.tuples[j].Group)
			if len(buf) > 4096 {
				f.Write(buf)
				buf = buf[:0]
			}
		}
	}
	f.Write(buf)
	return f.Sum64()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func stateErr(format string, args ...any) error {
	return wrapErr(ErrState, format, args...)
}

// A stateReader reads a state strictly: minimal varints, flags 0 or 1.
type stateReader struct{ b []byte }

func (r *stateReader) prefix(p []byte) bool {
	if len(r.b) < len(p) || string(r.b[:len(p)]) != string(p) {
		return false
	}
	r.b = r.b[len(p):]
	return true
}

func (r *stateReader) uint64LE() (uint64, bool) {
	if len(r.b) < 8 {
		return 0, false
	}
	x := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return x, true
}

func (r *stateReader) uvarint() (uint64, bool) {
	x, n := binary.Uvarint(r.b)
	var min [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(min[:], x) {
		return 0, false
	}
	r.b = r.b[n:]
	return x, true
}

func (r *stateReader) flag() (bool, bool) {
	if len(r.b) < 1 || r.b[0] > 1 {
		return false, false
	}
	f := r.b[0] == 1
	r.b = r.b[1:]
	return f, true
}

func (r *stateReader) bytes(n int) ([]byte, bool) {
	if n < 0 || len(r.b) < n {
		return nil, false
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s, true
}
