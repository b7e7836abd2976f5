package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// This file is a restricted unpickler: it understands the pickle opcodes
// that torch.save uses for a state dict (protocols 2 to 5) and allows only
// the Python globals needed to rebuild one. It builds plain Go values and
// never calls anything: "calling" an allowed global (REDUCE) is interpreted
// by rebuild below. The work and memory it needs are linear in the pickle's
// length: every opcode consumes at least one byte and pushes at most one
// value, and no value is copied.

// Values on the unpickler's stack: nil (None), bool, int64, float64,
// string, []byte, pyTuple, *pyList, *pyDict, pyGlobal, *storageRef and
// *tensorRef.
type (
	pyTuple  []any
	pyList   struct{ items []any }
	pyDict   struct{ keys, values []any }
	pyGlobal struct{ module, name string }
	pyBigInt string // little-endian two's complement bytes of an int over 64 bits
)

// A storageRef is a torch storage: numel elements of dtype in the zip entry
// named key.
type storageRef struct {
	key   string
	dtype DType
	numel int64
}

// A tensorRef is a strided view of a storage, as torch._utils
// ._rebuild_tensor_v2 describes it.
type tensorRef struct {
	storage      *storageRef
	offset       int64 // in elements
	size, stride []int64
}

// unpickler holds the state of one run.
type unpickler struct {
	data    []byte
	pos     int
	stack   []any
	marks   []int
	memo    map[uint32]any
	load    func(pid pyTuple) (*storageRef, error) // persistent load
	short   bool                                   // an argument ran past the end
	lastKey string                                 // last string pushed outside nested marks, for errors
}

// errorf returns a *FormatError naming the tensor being read.
func (u *unpickler) errorf(sentinel error, format string, args ...any) error {
	return &FormatError{Tensor: u.lastKey, Err: fmt.Errorf("%w: "+format+" (pickle offset %d)", append(append([]any{sentinel}, args...), u.pos)...)}
}

func (u *unpickler) read(n int) ([]byte, error) {
	if n < 0 || n > len(u.data)-u.pos {
		u.short = true
		return nil, u.errorf(ErrPickle, "%d-byte argument runs past the end", n)
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

func (u *unpickler) readUint(n int) (uint64, error) {
	b, err := u.read(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

func (u *unpickler) readLine() (string, error) {
	i := strings.IndexByte(string(u.data[u.pos:min(len(u.data), u.pos+256)]), '\n')
	if i < 0 {
		u.short = u.pos+256 > len(u.data)
		return "", u.errorf(ErrPickle, "unterminated line")
	}
	s := string(u.data[u.pos : u.pos+i])
	u.pos += i + 1
	return s, nil
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (any, error) {
	base := 0
	if len(u.marks) > 0 {
		base = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= base {
		return nil, u.errorf(ErrPickle, "stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	v, err := u.pop()
	if err == nil {
		u.push(v)
	}
	return v, err
}

// topAs returns the top of the stack as a T; what names the operation for
// the error.
func topAs[T any](u *unpickler, what string) (T, error) {
	v, err := u.top()
	if err != nil {
		var zero T
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return t, u.errorf(ErrPickle, "%s %s", what, typeName(v))
	}
	return t, nil
}

// popMark pops the values above the topmost mark and the mark itself.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.errorf(ErrPickle, "no mark")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

// popN pops the top n values, returned in stack order.
func (u *unpickler) popN(n int) ([]any, error) {
	items := make([]any, n)
	for i := n - 1; i >= 0; i-- {
		v, err := u.pop()
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return items, nil
}

// popItems pops n values if single, or else the values above the topmost
// mark: the operands of APPEND/APPENDS and SETITEM/SETITEMS.
func (u *unpickler) popItems(single bool, n int) ([]any, error) {
	if single {
		return u.popN(n)
	}
	return u.popMark()
}

func (u *unpickler) pushString(s string) {
	if len(u.marks) <= 1 {
		u.lastKey = s
	}
	u.push(s)
}

// unpickle runs the pickle in data and returns the object it builds.
func unpickle(data []byte, load func(pyTuple) (*storageRef, error)) (any, error) {
	v, _, _, err := unpickleAt(data, 0, load)
	return v, err
}

// unpickleAt runs the pickle starting at data[start:] and returns the
// object, the offset just after its STOP opcode, and whether an error is
// due to the data ending early (so that more data might help).
func unpickleAt(data []byte, start int, load func(pyTuple) (*storageRef, error)) (v any, end int, short bool, err error) {
	u := &unpickler{data: data, pos: start, memo: make(map[uint32]any), load: load}
	for {
		if u.pos >= len(u.data) {
			return nil, 0, true, u.errorf(ErrPickle, "no STOP opcode")
		}
		op := u.data[u.pos]
		u.pos++
		if op == '.' { // STOP
			v, err := u.pop()
			return v, u.pos, false, err
		}
		if err := u.step(op); err != nil {
			return nil, 0, u.short, err
		}
	}
}

func (u *unpickler) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		v, err := u.readUint(1)
		if err != nil {
			return err
		}
		if v > 5 {
			return u.errorf(ErrPickle, "protocol %d", v)
		}
	case 0x95: // FRAME: a length hint only
		_, err := u.readUint(8)
		return err
	case '(': // MARK
		u.marks = append(u.marks, len(u.stack))
	case ')': // EMPTY_TUPLE
		u.push(pyTuple{})
	case 't': // TUPLE
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
		items, err := u.popN(int(op - 0x84))
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case ']': // EMPTY_LIST
		u.push(&pyList{})
	case 'l': // LIST
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(&pyList{items: items})
	case 'a', 'e': // APPEND, APPENDS
		items, err := u.popItems(op == 'a', 1)
		if err != nil {
			return err
		}
		l, err := topAs[*pyList](u, "append to")
		if err != nil {
			return err
		}
		l.items = append(l.items, items...)
	case '}': // EMPTY_DICT
		u.push(&pyDict{})
	case 'd': // DICT
		items, err := u.popMark()
		if err != nil {
			return err
		}
		d := &pyDict{}
		if err := u.setItems(d, items); err != nil {
			return err
		}
		u.push(d)
	case 's', 'u': // SETITEM, SETITEMS
		items, err := u.popItems(op == 's', 2)
		if err != nil {
			return err
		}
		d, err := topAs[*pyDict](u, "set item of")
		if err != nil {
			return err
		}
		return u.setItems(d, items)
	case 'N': // NONE
		u.push(nil)
	case 0x88: // NEWTRUE
		u.push(true)
	case 0x89: // NEWFALSE
		u.push(false)
	case 'J': // BININT
		v, err := u.readUint(4)
		if err != nil {
			return err
		}
		u.push(int64(int32(uint32(v))))
	case 'K': // BININT1
		v, err := u.readUint(1)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case 'M': // BININT2
		v, err := u.readUint(2)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case 0x8a, 0x8b: // LONG1, LONG4
		n, err := u.readUint(int(op-0x8a)*3 + 1)
		if err != nil {
			return err
		}
		if n > 8 {
			// Only the magic number of PyTorch's legacy format (10 bytes)
			// is that long; keep such integers as their bytes.
			if n > 16 {
				return u.errorf(ErrPickle, "integer of %d bytes", n)
			}
			b, err := u.read(int(n))
			if err != nil {
				return err
			}
			u.push(pyBigInt(b))
			return nil
		}
		v, err := u.readUint(int(n))
		if err != nil {
			return err
		}
		if n > 0 && n < 8 && v>>(8*n-1)&1 == 1 { // sign-extend
			v |= math.MaxUint64 << (8 * n)
		}
		u.push(int64(v))
	case 'G': // BINFLOAT, big-endian
		b, err := u.read(8)
		if err != nil {
			return err
		}
		u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 'X', 0x8c, 0x8d, 'T', 'U': // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING
		b, err := u.readCounted(op)
		if err != nil {
			return err
		}
		u.pushString(string(b))
	case 'B', 'C', 0x8e: // BINBYTES, SHORT_BINBYTES, BINBYTES8
		b, err := u.readCounted(op)
		if err != nil {
			return err
		}
		u.push(append([]byte(nil), b...))
	case 'c': // GLOBAL
		module, err := u.readLine()
		if err != nil {
			return err
		}
		name, err := u.readLine()
		if err != nil {
			return err
		}
		return u.pushGlobal(module, name)
	case 0x93: // STACK_GLOBAL
		name, err := u.pop()
		if err != nil {
			return err
		}
		module, err := u.pop()
		if err != nil {
			return err
		}
		m, ok1 := module.(string)
		n, ok2 := name.(string)
		if !ok1 || !ok2 {
			return u.errorf(ErrPickle, "STACK_GLOBAL of %s and %s", typeName(module), typeName(name))
		}
		return u.pushGlobal(m, n)
	case 'q', 'r': // BINPUT, LONG_BINPUT
		i, err := u.readUint(int(op-'q')*3 + 1)
		if err != nil {
			return err
		}
		v, err := u.top()
		if err != nil {
			return err
		}
		u.memo[uint32(i)] = v
	case 0x94: // MEMOIZE
		v, err := u.top()
		if err != nil {
			return err
		}
		u.memo[uint32(len(u.memo))] = v
	case 'h', 'j': // BINGET, LONG_BINGET
		i, err := u.readUint(int(op-'h')*3/2 + 1)
		if err != nil {
			return err
		}
		v, ok := u.memo[uint32(i)]
		if !ok {
			return u.errorf(ErrPickle, "memo entry %d is not set", i)
		}
		u.push(v)
	case '0': // POP
		_, err := u.pop()
		return err
	case '1': // POP_MARK
		_, err := u.popMark()
		return err
	case '2': // DUP
		v, err := u.top()
		if err != nil {
			return err
		}
		u.push(v)
	case 'Q': // BINPERSID
		pid, err := u.pop()
		if err != nil {
			return err
		}
		t, ok := pid.(pyTuple)
		if !ok {
			return u.errorf(ErrPickle, "persistent id is %s, not a tuple", typeName(pid))
		}
		s, err := u.load(t)
		if err != nil {
			if fe, ok := err.(*FormatError); ok && fe.Tensor == "" {
				fe.Tensor = u.lastKey
			}
			return err
		}
		u.push(s)
	case 'R': // REDUCE
		args, err := u.pop()
		if err != nil {
			return err
		}
		fn, err := u.pop()
		if err != nil {
			return err
		}
		v, err := u.reduce(fn, args)
		if err != nil {
			return err
		}
		u.push(v)
	case 'b': // BUILD
		if _, err := u.pop(); err != nil { // the state
			return err
		}
		v, err := u.top()
		if err != nil {
			return err
		}
		// The only object torch gives a state is the state dict itself
		// (its _metadata attribute), which is not needed.
		if _, ok := v.(*pyDict); !ok {
			return u.errorf(ErrPickle, "BUILD of %s", typeName(v))
		}
	default:
		return u.errorf(ErrPickle, "opcode %#02x not allowed", op)
	}
	return nil
}

// readCounted reads the argument of a string or bytes opcode: a
// little-endian length of 1, 4 or 8 bytes, then that many bytes.
func (u *unpickler) readCounted(op byte) ([]byte, error) {
	width := 4 // BINUNICODE, BINSTRING, BINBYTES
	switch op {
	case 0x8c, 'U', 'C': // SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES
		width = 1
	case 0x8d, 0x8e: // BINUNICODE8, BINBYTES8
		width = 8
	}
	n, err := u.readUint(width)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(u.data)) {
		u.short = true
		return nil, u.errorf(ErrPickle, "%d-byte string runs past the end", n)
	}
	return u.read(int(n))
}

func (u *unpickler) setItems(d *pyDict, items []any) error {
	if len(items)%2 != 0 {
		return u.errorf(ErrPickle, "odd number of dict items")
	}
	for i := 0; i < len(items); i += 2 {
		switch items[i].(type) {
		case string, int64, bool, nil, float64, pyTuple: // hashable
		default:
			return u.errorf(ErrPickle, "dict key of type %s", typeName(items[i]))
		}
		d.keys = append(d.keys, items[i])
		d.values = append(d.values, items[i+1])
	}
	return nil
}
