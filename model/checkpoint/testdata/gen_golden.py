#!/usr/bin/python3
"""Makes the PyTorch/numpy goldens of package checkpoint's tests.

Run with Debian's interpreter (PyTorch 1.13, numpy 1.24):
    cd model/checkpoint/testdata && /usr/bin/python3 gen_golden.py
It is deterministic (fixed seeds), except that legacy-format files use
memory addresses as storage keys, so their bytes (not their tensors) vary
between runs. Outputs:

  halfconv.json      SHA-256 digests of numpy's float16->float32 table (all
                     65,536 bit patterns) and of numpy's float32->float16 and
                     torch's float32->bfloat16 over a fixed sample of float32
                     bit patterns (the sample is defined in halfSample() in
                     dtype_test.go and here).
  mixed.bin          torch.save (zip, protocol 2) of a state dict with every
                     dtype and awkward views: transposed, sliced with an
                     offset, tied (two names, one storage), expanded (stride
                     0), scalar, empty, nn.Parameter.
  mixed_p4.bin       the same dict saved with pickle protocol 4.
  mixed.safetensors  what Python's safetensors save_file writes for the same
                     tensors made contiguous, with metadata {"format": "pt"}:
                     tensors sorted by decreasing dtype (the Rust enum order),
                     then name; compact JSON; padded with spaces to 8 bytes.
  mixed.json         per tensor: dtype, shape, SHA-256 of its contiguous
                     little-endian bytes, as torch sees them.
  module.bin         torch.save(module.state_dict()) of a small real module:
                     the dict carries a _metadata attribute (pickled with
                     BUILD); module.json holds its tensors as mixed.json.
  mixed_legacy.bin   the mixed dict in torch.save's legacy (pre-1.6) format,
                     _use_new_zipfile_serialization=False; mixed_legacy_p4.bin
                     the same with pickle protocol 4.
  forbidden.bin      a torch.save zip whose dict holds an nn.Linear module
                     (pickles a global outside the allow-list).
  grads-f64.json     per tensor of tiny-bert-grads-f64.safetensors: shape and
                     SHA-256 of the bytes and the float64 sum, read with numpy.
"""
import collections, hashlib, json, struct
import numpy as np
import torch

torch.manual_seed(1)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def half_sample():
    # Every 65,537th float32 bit pattern from 0 upwards plus the patterns
    # around the binary16 normal, subnormal and overflow boundaries.
    pats = [i * 65537 & 0xFFFFFFFF for i in range(65536)]
    for e in (0x33000000, 0x33800000, 0x38000000, 0x38800000, 0x477FE000, 0x477FF000, 0x47800000):
        for d in range(-4096, 4097):
            pats.append((e + d) & 0xFFFFFFFF)
            pats.append((e + d) & 0xFFFFFFFF | 0x80000000)
    return np.array(pats, dtype=np.uint32)


def halfconv():
    h = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32).view(np.uint32)
    s = half_sample()
    f = s.view(np.float32)
    nonnan = ~np.isnan(f)
    f16 = f[nonnan].astype(np.float16).view(np.uint16)
    bf16 = torch.from_numpy(f.copy()).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    return {
        "f16_to_f32_all": sha(h.astype("<u4").tobytes()),
        "sample_count": int(len(s)),
        "sample_sha256": sha(s.astype("<u4").tobytes()),
        "f32_to_f16_nonnan": sha(f16.astype("<u2").tobytes()),
        "f32_to_bf16": sha(bf16.astype("<u2").tobytes()),
        "note": "f32_to_f16_nonnan skips NaN inputs (numpy's NaN payload handling is not IEEE-specified)",
    }


def mixed_dict():
    base = torch.randn(6, 5)
    big = torch.randn(40)
    d = collections.OrderedDict()
    d["f32.plain"] = torch.randn(3, 4)
    d["f32.transposed"] = base.t()                      # stride (1, 5)
    d["f32.slice"] = big[7:19].view(3, 4)               # storage offset 7
    d["f32.tied_a"] = big                               # shares storage with f32.slice
    d["f32.tied_b"] = big                               # same tensor, second name
    d["f32.expanded"] = torch.randn(3, 1).expand(3, 4)  # stride (1, 0)
    d["f32.scalar"] = torch.tensor(2.5)
    d["f32.empty"] = torch.zeros(0, 3)
    d["f32.param"] = torch.nn.Parameter(torch.randn(2, 2))
    d["f32.cols"] = base[:, 1:4]                        # non-contiguous rows
    d["f64.plain"] = torch.randn(2, 3, dtype=torch.float64)
    d["f16.plain"] = (torch.randn(4, 3) * 1000).to(torch.float16)
    d["f16.special"] = torch.tensor([0.0, -0.0, 6e-8, -6e-8, 65504, float("inf"), float("-inf"), float("nan")], dtype=torch.float16)
    d["bf16.plain"] = torch.randn(5).to(torch.bfloat16)
    d["i64.position_ids"] = torch.arange(7).unsqueeze(0)
    d["i32.plain"] = torch.tensor([-(2 ** 31), 2 ** 31 - 1, 0], dtype=torch.int32)
    d["i16.plain"] = torch.tensor([-32768, 32767], dtype=torch.int16)
    d["i8.plain"] = torch.tensor([-128, 127, 5], dtype=torch.int8)
    d["u8.plain"] = torch.tensor([0, 255, 7], dtype=torch.uint8)
    d["bool.mask"] = torch.tensor([True, False, True])
    d["f32.ünïcode \"name\"\n"] = torch.ones(1)
    return d


ST_NAME = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
           torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
           torch.uint8: "U8", torch.bool: "BOOL"}
# Rust safetensors' Dtype enum order (increasing alignment).
RUST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32",
              "F32", "F64", "I64", "U64"]


def raw(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def safetensors_bytes(d, metadata):
    items = sorted(d.items(), key=lambda kv: (-RUST_ORDER.index(ST_NAME[kv[1].dtype]), kv[0].encode()))
    header = collections.OrderedDict()
    header["__metadata__"] = metadata
    blobs, off = [], 0
    for name, t in items:
        b = raw(t)
        header[name] = {"dtype": ST_NAME[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def main():
    with open("halfconv.json", "w") as f:
        json.dump(halfconv(), f, indent=1, sort_keys=True)
        f.write("\n")
    d = mixed_dict()
    torch.save(d, "mixed.bin")
    torch.save(d, "mixed_p4.bin", pickle_protocol=4)
    back = torch.load("mixed.bin")
    assert all(torch.equal(back[k], d[k]) or (k == "f16.special") for k in d)
    with open("mixed.safetensors", "wb") as f:
        f.write(safetensors_bytes(d, {"format": "pt"}))
    golden = collections.OrderedDict()
    for k, t in d.items():
        golden[k] = {"dtype": ST_NAME[t.dtype], "shape": list(t.shape), "sha256": sha(raw(t))}
    with open("mixed.json", "w") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
        f.write("\n")
    m = torch.nn.Sequential(torch.nn.Embedding(5, 3), torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    m[1].weight.data = m[1].weight.data.t().contiguous().t()  # column-major parameter
    sd = m.state_dict()
    torch.save(sd, "module.bin")
    with open("module.json", "w") as f:
        json.dump({k: {"dtype": ST_NAME[t.dtype], "shape": list(t.shape), "sha256": sha(raw(t))} for k, t in sd.items()},
                  f, indent=1)
        f.write("\n")
    torch.save(d, "mixed_legacy.bin", _use_new_zipfile_serialization=False)
    torch.save(d, "mixed_legacy_p4.bin", _use_new_zipfile_serialization=False, pickle_protocol=4)
    torch.save({"w": torch.randn(2, 2), "module": torch.nn.Linear(2, 2)}, "forbidden.bin")

    data = open("tiny-bert-grads-f64.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = collections.OrderedDict()
    for name, info in sorted(header.items()):
        if name == "__metadata__":
            out[name] = info
            continue
        b, e = info["data_offsets"]
        blob = data[8 + n + b:8 + n + e]
        a = np.frombuffer(blob, dtype="<f8")
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "sha256": sha(blob),
                     "sum": float(np.sum(a, dtype=np.float64)), "first": float(a[0])}
    with open("grads-f64.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
