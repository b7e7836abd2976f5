//go:build ignore

// Prints "n hex(math.Log2(n))" for n in [2, 200001], for gen_log2.py.
package main

import (
	"fmt"
	"math"
	"strconv"
)

func main() {
	for n := 2; n <= 200001; n++ {
		fmt.Println(n, strconv.FormatFloat(math.Log2(float64(n)), 'x', -1, 64))
	}
}
