package tokenizer

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The subset of SentencePiece's sentencepiece_model.proto (proto2) that
// encoding needs, decoded with protowire. Unknown fields are skipped.

// pieceType is ModelProto.SentencePiece.Type.
type pieceType uint8

const (
	pieceNormal      pieceType = 1
	pieceUnknown     pieceType = 2
	pieceControl     pieceType = 3
	pieceUserDefined pieceType = 4
	pieceUnused      pieceType = 5
	pieceByte        pieceType = 6
)

// spmModel is a decoded ModelProto.
type spmModel struct {
	pieces []string
	scores []float32
	types  []pieceType

	// trainer_spec
	modelType       int64 // 1 unigram, 2 bpe, 3 word, 4 char
	treatWSSuffix   bool
	byteFallback    bool
	unkID           int32
	bosID, eosID    int32
	padID           int32
	unkSurface      string
	hasTrainerUnkID bool

	// normalizer_spec
	charsMap        []byte
	addDummyPrefix  bool
	removeExtraWS   bool
	escapeWS        bool
	normalizerName  string
	hasNormalizer   bool
	charsMapPresent bool
}

// parseSPM decodes a serialized ModelProto.
func parseSPM(data []byte) (*spmModel, error) {
	m := &spmModel{
		modelType:      1,
		unkID:          0,
		bosID:          1,
		eosID:          2,
		padID:          -1,
		unkSurface:     " \u2047 ",
		addDummyPrefix: true,
		removeExtraWS:  true,
		escapeWS:       true,
	}
	// Each piece takes at least 3 bytes on the wire (tag, length, and a
	// piece field tag), which bounds the slices allocated below.
	err := forEachField(data, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			if typ != protowire.BytesType {
				return errWireType("ModelProto.pieces", typ)
			}
			return m.parsePiece(v)
		case 2:
			if typ != protowire.BytesType {
				return errWireType("ModelProto.trainer_spec", typ)
			}
			return m.parseTrainer(v)
		case 3:
			if typ != protowire.BytesType {
				return errWireType("ModelProto.normalizer_spec", typ)
			}
			m.hasNormalizer = true
			return m.parseNormalizer(v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func errWireType(field string, typ protowire.Type) error {
	return fmt.Errorf("%s: unexpected wire type %d", field, typ)
}

// forEachField calls fn for every field of a message. For varint and fixed
// fields v is nil and x holds the value; for bytes fields v is the payload
// (a sub-slice of data).
func forEachField(data []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return fmt.Errorf("bad tag: %w", protowire.ParseError(n))
		}
		data = data[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(data)
		case protowire.Fixed32Type:
			var x32 uint32
			x32, n = protowire.ConsumeFixed32(data)
			x = uint64(x32)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(data)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(data)
		default:
			n = protowire.ConsumeFieldValue(num, typ, data)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		data = data[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func (m *spmModel) parsePiece(data []byte) error {
	i := len(m.pieces)
	piece, score, typ := "", float32(0), pieceNormal
	err := forEachField(data, func(num protowire.Number, wt protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			if wt != protowire.BytesType {
				return errWireType("SentencePiece.piece", wt)
			}
			piece = string(v)
		case 2:
			if wt != protowire.Fixed32Type {
				return errWireType("SentencePiece.score", wt)
			}
			score = math.Float32frombits(uint32(x))
		case 3:
			if wt != protowire.VarintType {
				return errWireType("SentencePiece.type", wt)
			}
			if x < uint64(pieceNormal) || x > uint64(pieceByte) {
				return fmt.Errorf("unknown type %d", x)
			}
			typ = pieceType(x)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("piece %d: %w", i, err)
	}
	m.pieces = append(m.pieces, piece)
	m.scores = append(m.scores, score)
	m.types = append(m.types, typ)
	return nil
}

func (m *spmModel) parseTrainer(data []byte) error {
	return forEachField(data, func(num protowire.Number, wt protowire.Type, v []byte, x uint64) error {
		isVarint := wt == protowire.VarintType
		switch num {
		case 3, 24, 35, 40, 41, 42, 43:
			if !isVarint {
				return errWireType(fmt.Sprintf("TrainerSpec field %d", num), wt)
			}
		case 44:
			if wt != protowire.BytesType {
				return errWireType("TrainerSpec.unk_surface", wt)
			}
		}
		switch num {
		case 3:
			m.modelType = int64(x)
		case 24:
			m.treatWSSuffix = x != 0
		case 35:
			m.byteFallback = x != 0
		case 40:
			m.unkID, m.hasTrainerUnkID = int32(x), true
		case 41:
			m.bosID = int32(x)
		case 42:
			m.eosID = int32(x)
		case 43:
			m.padID = int32(x)
		case 44:
			m.unkSurface = string(v)
		}
		return nil
	})
}

func (m *spmModel) parseNormalizer(data []byte) error {
	return forEachField(data, func(num protowire.Number, wt protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1, 2:
			if wt != protowire.BytesType {
				return errWireType(fmt.Sprintf("NormalizerSpec field %d", num), wt)
			}
		case 3, 4, 5:
			if wt != protowire.VarintType {
				return errWireType(fmt.Sprintf("NormalizerSpec field %d", num), wt)
			}
		}
		switch num {
		case 1:
			m.normalizerName = string(v)
		case 2:
			m.charsMap, m.charsMapPresent = v, true
		case 3:
			m.addDummyPrefix = x != 0
		case 4:
			m.removeExtraWS = x != 0
		case 5:
			m.escapeWS = x != 0
		}
		return nil
	})
}
