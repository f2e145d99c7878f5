"""Regenerates test/sentencepiece/goldens.json with Google's sentencepiece (the reference).

Usage (any Python with `sentencepiece` installed, e.g. 0.2.2):
    python3 packages/tokenizers/scripts/spm-goldens.py [fixtures dir]
Inputs: llama.cpp's tokenizer test strings, a hand-written adversarial list, and paragraphs of
the fixture texts. Output: ids without BOS/EOS, pieces and sp.decode(ids) per model.
"""
import json
import os
import sys

import sentencepiece as spm

here = os.path.dirname(os.path.abspath(__file__))
fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "..", "shared", "fixtures")
out_path = os.path.join(here, "..", "test", "sentencepiece", "goldens.json")

def read(rel):
    with open(os.path.join(fixtures, rel), encoding="utf-8") as f:
        return f.read()

inputs = read("tokenizer-test-vectors/ggml-vocab.gguf.inp").split("\n__ggml_vocab_test__\n")
inputs += [
    "", " ", "  ", "\n", "\t", "Hello world", " Hello world", "  Hello  world  ", "    indented code\n\tTab",
    "日本語のテキストと中文混合，还有한국어 텍스트。", "👨‍👩‍👧‍👦 family 🏳️‍🌈 👍🏽 🇺🇸",
    "e\u0301 a\u0308\u0304 combining", "مرحبا بالعالم שלום", "ctrl \u0000\u0001\u001b[31m\u007f\u0085 \u00a0nbsp \u2028 \ufeffbom \u3000ideo",
    "ＡＢＣ  hello   world ｶﾀｶﾅ ①  ㍻ ﬁ ™ ½", "0123456789 3.14159 1,000,000 ١٢٣", "<s> </s> <unk> <0x41> ▁ ▁▁x",
    "a" * 3000, "abc " * 200, "🙂" * 100, "x\u200by\u200dz", "Ǆ ǅ ǆ ß ẞ İ",
]
for name in ["text/botchan.txt", "text/war-and-peace.txt", "text/tinyshakespeare.txt"]:
    paras = [p for p in read(name).replace("\r\n", "\n").split("\n\n") if p.strip()]
    inputs += paras[40:100]

models = {}
for rel in ["llama2/tokenizer.model", "mistral-7b-v0.1/tokenizer.model", "sentencepiece/test_model.model"]:
    sp = spm.SentencePieceProcessor(model_file=os.path.join(fixtures, rel))
    ids = [sp.encode(s) for s in inputs]
    models[rel] = {
        "ids": ids,
        "pieces": [sp.encode(s, out_type=str) for s in inputs],
        "decoded": [sp.decode(i) for i in ids],
    }

with open(out_path, "w", encoding="utf-8") as f:
    json.dump({"generator": f"sentencepiece {spm.__version__}", "inputs": inputs, "models": models}, f, ensure_ascii=False)
print(f"wrote {out_path}: {len(inputs)} inputs x {len(models)} models")
