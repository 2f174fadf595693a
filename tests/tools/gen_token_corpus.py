#!/usr/bin/env python3
"""gen_token_corpus.py OUT.jsonl [N_RANDOM] [SEED]

Texts on which the tokenize step must give the reference implementations'
ids: fixed documents covering the cases that change ids (every kind of space
and line break, digit runs, contractions in both cases, combining marks, emoji
sequences, right-to-left scripts, CJK, code, very long words, empty and
whitespace-only documents, special tokens written in the text), then N random
strings drawn from those pieces (the property test)."""
import json
import random
import sys

SPACES = [" ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\u00a0", "\u3000", "\u2009", "\u200b", "\u2028",
          "\u2029", "\u0085", "\u1680", "\u180e", "\u202f", "\u205f", "\ufeff", "\x0b", "\x0c", " \n ", "   \n"]
PIECES = [
    "Hello", "world", "HELLO", "don't", "DON'T", "I'm", "WE'LL", "they've", "She'D", "it's", "'s", "'S", "''",
    "0", "7", "12", "123", "1234", "1234567890", "3.14", "1,000", "٣٤٥", "१२३", "²³", "Ⅻ",
    "Привет", "мир", "ПРИВЕТ", "Україна", "Ґанок", "България", "café", "cafe\u0301", "e\u0301\u0301", "A\u030a",
    "ﬁ", "Å", "Ω", "ǅ", "ß", "İstanbul", "ΣΊΣΥΦΟΣ",
    "👍", "👍🏽", "👨‍👩‍👧‍👦", "🇺🇦", "❤️", "🏳️‍🌈",
    "שלום", "مرحبا", "سلام علیکم", "\u200f", "\u200e",
    "日本語", "中文字符", "한국어", "カタカナ", "ｆｕｌｌｗｉｄｔｈ", "。", "、",
    "def f(x):", "    return x**2", "if (a && b) { c++; }", "<div class=\"x\">", "}}", "==>", "//", "#!/bin/sh",
    "https://example.com/a?b=c", "foo_bar", "camelCase", "snake_case_2", "x86_64", "--flag=1",
    "!!!", "...", "—", "–", "«", "»", "“", "”", "¿", "¡", "@", "$", "%", "€", "\\", "/", "|",
    "<|endoftext|>", "<|begin_of_text|>", "<s>", "</s>", "<unk>", "<think>", "<|im_start|>",
    "ŉ", "ǰ", "ᾳ", "\u0345", "\U0001fae8", "\u0378",
]
FIXED = [
    "", " ", "  ", "\n", "\r\n", "\t\t", "\u00a0", "\u3000\u3000", " \n \n ", "\n\n\n",
    "Hello world", " Hello world", "Hello world ", "Hello  world", "Hello\u00a0world", "Hello\u3000world",
    "line one\r\nline two\r\n\r\nthree", "tabs\tand\tspaces  \t mixed\n",
    "12 123 1234 12345 123456789012345678901234567890", "2024-01-01T12:00:00Z", "v1.2.3",
    "don't DON'T I'M i'm You're YOU'RE we'll WE'LL she'd SHE'D it's IT'S they've THEY'VE",
    "Привет, мир! Київ — столиця України. Здравей, свят!",
    "Cafe\u0301 na\u0308ive re\u0301sume\u0301 \u1e9b\u0323 Å Å",
    "👨‍👩‍👧‍👦 👍🏽 🇺🇦🇧🇬 ❤️‍🔥 🏳️‍🌈",
    "שלום עולם مرحبا بالعالم",
    "日本語のテキスト。中文文本，한국어 텍스트！",
    "def main():\n    for i in range(10):\n        print(f\"{i:>3}\")\n\n\treturn 0\n",
    "int main(void) {\n\treturn printf(\"%d\\n\", 42);\n}\n",
    "a" * 5000, "Ж" * 5000, "ab" * 2600, " " * 3000, "1" * 2000, "日" * 3000, "\n" * 1000,
    "x" + "'s" * 500,
    "special tokens as text: <|endoftext|> <|begin_of_text|> <|end_of_text|> <s> </s> <|im_start|>",
    "<|endoftext|>", "<|begin_of_text|>Hello<|eot_id|>",
]


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    texts = list(FIXED)
    for _ in range(n):
        k = rnd.randint(1, 12)
        parts = []
        for _ in range(k):
            r = rnd.random()
            parts.append(rnd.choice(SPACES) if r < 0.35 else rnd.choice(PIECES))
        texts.append("".join(parts))
    with open(out, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")


main()
