import re
from collections import Counter

WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def sentence_count(text: str) -> int:
    return len([s for s in re.split(r"[.!?。！？]+", text) if s.strip()])


def average_sentence_length(text: str) -> float:
    return len(words(text)) / sentence_count(text)


def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    return Counter(words(text)).most_common(n)
