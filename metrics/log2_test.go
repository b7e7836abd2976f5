package metrics

import (
	"bufio"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// glibcLog2Exceptions are the n ≤ 200,001 where glibc's log2 is not the
// correctly rounded value (its error is just above half an ulp) and so
// differs from log2Exact.
var glibcLog2Exceptions = []int{1621, 3242, 6484, 12968, 25936, 51872, 57803, 104703, 107177, 110806, 112705, 143957, 171891, 186767}

func TestLog2MatchesGlibc(t *testing.T) {
	sc := gzipLines(t, filepath.Join("testdata", "log2", "glibc_log2.txt.gz"))
	n, same, goSame := 0, 0, 0
	for sc.Scan() {
		nStr, hex, _ := strings.Cut(sc.Text(), " ")
		x, _ := strconv.Atoi(nStr)
		want, err := strconv.ParseFloat(hex, 64)
		if err != nil {
			t.Fatal(err)
		}
		got := log2Exact(float64(x))
		n++
		switch {
		case got == want:
			same++
		case slices.Contains(glibcLog2Exceptions, x):
			if math.Abs(got-want) > 2.5e-16*want {
				t.Errorf("log2Exact(%d) = %v, glibc %v: more than an ulp apart", x, got, want)
			}
		default:
			t.Errorf("log2Exact(%d) = %v, want glibc's %v", x, got, want)
		}
		if math.Log2(float64(x)) == want {
			goSame++
		}
		if x <= 1024 && log2Rank(x-2) != got {
			t.Errorf("log2Rank(%d) = %v, want %v", x-2, log2Rank(x-2), got)
		}
	}
	if n != 4901 {
		t.Fatalf("read %d values, want 4901", n)
	}
	t.Logf("log2Exact equals glibc's log2 on %d of %d integers (math.Log2 on %d)", same, n, goSame)
}

func TestLog2RankGrows(t *testing.T) {
	for _, i := range []int{0, 1, 1023, 1024, 5000, maxDiscountTable - 1, maxDiscountTable, maxDiscountTable + 7} {
		if got, want := log2Rank(i), log2Exact(float64(i+2)); got != want {
			t.Errorf("log2Rank(%d) = %v, want %v", i, got, want)
		}
	}
}

// TestLnExpMatchGlibc compares lnExact and expExact, which gm_map uses, with
// glibc's log and exp on gm_map's domain (testdata/lnexp/gen_lnexp.py).
func TestLnExpMatchGlibc(t *testing.T) {
	sc := gzipLines(t, filepath.Join("testdata", "lnexp", "lnexp.txt.gz"))
	n, same, goSame := map[string]int{}, map[string]int{}, map[string]int{}
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		x, err1 := strconv.ParseFloat(fields[1], 64)
		want, err2 := strconv.ParseFloat(fields[2], 64)
		if len(fields) != 3 || err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		var got, goVal float64
		switch fields[0] {
		case "log":
			got, goVal = lnExact(x), math.Log(x)
		case "exp":
			got, goVal = expExact(x), math.Exp(x)
		default:
			t.Fatalf("bad line %q", sc.Text())
		}
		n[fields[0]]++
		if got == want {
			same[fields[0]]++
		} else if math.Abs(got-want) > 2.3e-16*math.Abs(want) {
			t.Errorf("%s(%v) = %v, glibc %v: more than an ulp apart", fields[0], x, got, want)
		}
		if goVal == want {
			goSame[fields[0]]++
		}
	}
	if n["log"] < 9000 || n["exp"] != 5000 {
		t.Fatalf("read %d log and %d exp values", n["log"], n["exp"])
	}
	for _, fn := range []string{"log", "exp"} {
		t.Logf("%s: equal to glibc on %d of %d arguments (Go's math package: %d)", fn, same[fn], n[fn], goSame[fn])
		// glibc's log and exp are not always correctly rounded; allow one
		// argument in a thousand.
		if n[fn]-same[fn] > n[fn]/1000 {
			t.Errorf("%s differs from glibc on %d of %d arguments", fn, n[fn]-same[fn], n[fn])
		}
	}
}

// gzipLines returns a line scanner over the gzipped file at path, closed
// at the end of the test.
func gzipLines(t *testing.T, path string) *bufio.Scanner {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return bufio.NewScanner(zr)
}
