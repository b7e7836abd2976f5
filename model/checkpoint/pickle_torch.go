package checkpoint

import "fmt"

// The torch side of the restricted unpickler: which globals a state dict
// may name, and what "calling" them builds.

// allowedGlobals lists the Python globals a state dict pickle may name.
var allowedGlobals = map[string]bool{
	"collections.OrderedDict":                    true,
	"torch._utils._rebuild_tensor":               true,
	"torch._utils._rebuild_tensor_v2":            true,
	"torch._utils._rebuild_parameter":            true,
	"torch._utils._rebuild_parameter_with_state": true,
}

// storageDTypes maps torch's typed storage classes to dtypes.
var storageDTypes = map[string]DType{
	"FloatStorage": F32, "DoubleStorage": F64, "HalfStorage": F16, "BFloat16Storage": BF16,
	"LongStorage": I64, "IntStorage": I32, "ShortStorage": I16, "CharStorage": I8,
	"ByteStorage": U8, "BoolStorage": Bool,
}

func (u *unpickler) pushGlobal(module, name string) error {
	full := module + "." + name
	if allowedGlobals[full] {
		u.push(pyGlobal{module, name})
		return nil
	}
	if _, ok := storageDTypes[name]; ok && module == "torch" {
		u.push(pyGlobal{module, name})
		return nil
	}
	return u.errorf(ErrForbidden, "%s", full)
}

// reduce interprets a call of an allowed global.
func (u *unpickler) reduce(fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, u.errorf(ErrPickle, "call of %s", typeName(fn))
	}
	a, ok := args.(pyTuple)
	if !ok {
		return nil, u.errorf(ErrPickle, "%s.%s called with %s", g.module, g.name, typeName(args))
	}
	switch g.module + "." + g.name {
	case "collections.OrderedDict":
		if len(a) != 0 {
			return nil, u.errorf(ErrPickle, "OrderedDict called with %d arguments", len(a))
		}
		return &pyDict{}, nil
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		// (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
		if len(a) < 4 || len(a) > 7 {
			return nil, u.errorf(ErrPickle, "%s with %d arguments", g.name, len(a))
		}
		s, ok := a[0].(*storageRef)
		if !ok {
			return nil, u.errorf(ErrPickle, "tensor storage is %s", typeName(a[0]))
		}
		off, ok := a[1].(int64)
		if !ok {
			return nil, u.errorf(ErrPickle, "storage offset is %s", typeName(a[1]))
		}
		size, err := u.ints(a[2], "size")
		if err != nil {
			return nil, err
		}
		stride, err := u.ints(a[3], "stride")
		if err != nil {
			return nil, err
		}
		return &tensorRef{storage: s, offset: off, size: size, stride: stride}, nil
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		if len(a) < 1 {
			return nil, u.errorf(ErrPickle, "%s without arguments", g.name)
		}
		t, ok := a[0].(*tensorRef)
		if !ok {
			return nil, u.errorf(ErrPickle, "parameter data is %s", typeName(a[0]))
		}
		return t, nil
	}
	return nil, u.errorf(ErrForbidden, "call of %s.%s", g.module, g.name)
}

func (u *unpickler) ints(v any, what string) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, u.errorf(ErrPickle, "tensor %s is %s, not a tuple", what, typeName(v))
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok {
			return nil, u.errorf(ErrPickle, "tensor %s has a %s", what, typeName(x))
		}
		out[i] = n
	}
	return out, nil
}

func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, pyBigInt:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case pyTuple:
		return "tuple"
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case pyGlobal:
		return v.module + "." + v.name
	case *storageRef:
		return "storage"
	case *tensorRef:
		return "tensor"
	}
	return fmt.Sprintf("%T", v)
}
