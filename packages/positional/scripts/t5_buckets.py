"""Prints T5 relative-position buckets computed the way Hugging Face's
`T5Attention._relative_position_bucket` computes them: torch float32 log / divide / multiply,
then truncation toward zero. Uses torch when it is importable (Debian: `apt-get install
python3-torch`, run with /usr/bin/python3), else a numpy float32 emulation of the same ops.
The test `src/t5.test.ts` holds a copy of this output; rerun with
`python3 packages/positional/scripts/t5_buckets.py`.
"""
import math

try:
    import torch
except ImportError:
    torch = None
import numpy as np

RELS = [-1000, -200, -128, -127, -100, -64, -33, -32, -31, -20, -17, -16, -15, -12, -9, -8, -7, -3, -1, 0,
        1, 2, 7, 8, 9, 12, 15, 16, 17, 20, 32, 64, 100, 127, 128, 500]


def buckets_torch(rels, bidirectional, num_buckets, max_distance):
    rel = torch.tensor(rels, dtype=torch.long)
    out = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        out += (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = rel < max_exact
    large = max_exact + (
        torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    out += torch.where(is_small, rel, large)
    return out.tolist()


def bucket_numpy(rel, bidirectional, num_buckets, max_distance):
    out = 0
    if bidirectional:
        num_buckets //= 2
        if rel > 0:
            out += num_buckets
        n = abs(rel)
    else:
        n = max(-rel, 0)
    max_exact = num_buckets // 2
    if n < max_exact:
        return out + n
    ratio = np.float32(n) / np.float32(max_exact)
    logv = np.log(np.float32(ratio))
    scaled = np.float32(logv / np.float32(math.log(max_distance / max_exact))) * np.float32(num_buckets - max_exact)
    return out + min(max_exact + int(np.float32(scaled)), num_buckets - 1)


print(f"# computed with {'torch ' + torch.__version__ if torch else 'numpy float32 emulation'}")
for bidi in (True, False):
    for nb, md in ((32, 128), (64, 256)):
        if torch:
            values = buckets_torch(RELS, bidi, nb, md)
        else:
            values = [bucket_numpy(r, bidi, nb, md) for r in RELS]
        print(f"bidirectional={bidi} buckets={nb} maxDistance={md}")
        print("  " + ", ".join(f"[{r}, {b}]" for r, b in zip(RELS, values)))

if __name__ == "__main__" and torch is not None:
    # Full tables for test/goldens/t5-buckets-torch.json: every relative position in [-3M, 3M].
    import json
    import os

    configs = [(True, 32, 128), (False, 32, 128), (True, 64, 256), (False, 64, 256), (True, 15, 4), (False, 16, 9), (True, 8, 20)]
    tables = []
    for bidi, nb, md in configs:
        rels = list(range(-3 * md, 3 * md + 1))
        tables.append({"bidirectional": bidi, "buckets": nb, "maxDistance": md, "from": -3 * md, "values": buckets_torch(rels, bidi, nb, md)})
    target = os.path.join(os.path.dirname(__file__), "..", "test", "goldens", "t5-buckets-torch.json")
    with open(target, "w") as f:
        json.dump({"source": f"torch {torch.__version__}, HF _relative_position_bucket ops", "tables": tables}, f, separators=(",", ":"))
        f.write("\n")
    print(f"# wrote {target}")
