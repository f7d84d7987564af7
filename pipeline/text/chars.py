"""Which characters are Chinese, named once for every rule that asks.

Han characters are the CJK Unified Ideographs block, U+4E00 to U+9FFF: every character of a
report in simplified Chinese (after normalisation maps compatibility ideographs and Kangxi
radicals onto it). A text with none of them is not a Chinese report; a "word character" is one
of them or a Latin letter (digits and punctuation carry no words).
"""
from __future__ import annotations

import re

HAN_FIRST, HAN_LAST = "\u4e00", "\u9fff"
HAN = f"{HAN_FIRST}-{HAN_LAST}"  # for a character class: f"[{HAN}]", f"[{HAN}()]"

HAN_CHAR = re.compile(f"[{HAN}]")
HAN_WORD = re.compile(f"[{HAN}]+")  # fullmatch: a token of Han characters alone
WORD_CHAR = re.compile(f"[{HAN}A-Za-z]")
