"""Prints T5 relative-position buckets computed the way Hugging Face's
`T5Attention._relative_position_bucket` computes them (torch float32 log / divide / multiply,
then truncation), using numpy float32 so no torch is needed. The test
`src/t5.test.ts` holds a copy of this output; rerun with `python3 scripts/t5_buckets.py`.
"""
import math
import numpy as np

def bucket(rel, bidirectional, num_buckets, max_distance):
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
    large = max_exact + int(np.float32(scaled))
    return out + min(large, num_buckets - 1)

RELS = [-1000, -200, -128, -127, -100, -64, -33, -32, -31, -20, -17, -16, -15, -12, -9, -8, -7, -3, -1, 0,
        1, 2, 7, 8, 9, 12, 15, 16, 17, 20, 32, 64, 100, 127, 128, 500]
for bidi in (True, False):
    for nb, md in ((32, 128), (64, 256)):
        print(f"bidirectional={bidi} buckets={nb} maxDistance={md}")
        print("  " + ", ".join(f"[{r}, {bucket(r, bidi, nb, md)}]" for r in RELS))
