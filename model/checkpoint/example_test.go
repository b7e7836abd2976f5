package checkpoint_test

import (
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/polyret/polyret/model/checkpoint"
)

// Write a checkpoint and read it back; ReadFile would read a PyTorch
// pytorch_model.bin or a sharded index the same way.
func Example() {
	dir, err := os.MkdirTemp("", "checkpoint-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	tensors := map[string]checkpoint.Tensor{
		"dense.weight": checkpoint.FromFloat32([]int{2, 3}, []float32{0.5, -1, 2, 0, 0.25, 3}),
		"dense.bias":   checkpoint.FromFloat32([]int{2}, []float32{0.1, -0.1}).Convert(checkpoint.BF16),
	}
	if err := checkpoint.WriteSafetensors(path, tensors, map[string]string{"format": "pt"}); err != nil {
		log.Fatal(err)
	}

	back, err := checkpoint.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(back)) {
		t := back[name]
		fmt.Printf("%s %v %v %.4f\n", name, t.DType, t.Shape, t.Float32())
	}
	// Output:
	// dense.bias BF16 [2] [0.1001 -0.1001]
	// dense.weight F32 [2 3] [0.5000 -1.0000 2.0000 0.0000 0.2500 3.0000]
}

// Errors name the file and the tensor, and wrap a sentinel error.
func Example_errors() {
	dir, err := os.MkdirTemp("", "checkpoint-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bad.safetensors")
	header := `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`
	file := append([]byte{byte(len(header)), 0, 0, 0, 0, 0, 0, 0}, header...)
	file = append(file, make([]byte, 12)...)
	if err := os.WriteFile(path, file, 0o644); err != nil {
		log.Fatal(err)
	}

	_, err = checkpoint.ReadFile(path)
	fe, _ := err.(*checkpoint.FormatError)
	fmt.Println(filepath.Base(fe.File), fe.Tensor)
	fmt.Println(fe.Err)
	// Output:
	// bad.safetensors w
	// invalid shape: F32 of shape [2 2] needs 16 bytes, data_offsets [0, 12] hold 12
}
