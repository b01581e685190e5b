"""Where a Code node's user line N starts in an exported DSL file, computed independently of any parser in
the extension: PyYAML's composer gives the `code` scalar's node with its start/end marks and style, and the
raw scalar text between the marks is decoded here character by character (YAML 1.1 double-quoted,
single-quoted, literal/folded block and plain rules), remembering for every decoded character the file line
it came from. The full decode is checked against PyYAML's own value before any line is trusted."""

from __future__ import annotations

from pathlib import Path

import yaml

ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
           "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
           "P": "\u2029"}
HEX = {"x": 2, "u": 4, "U": 8}


def _decode_flow(raw: str, first_line: int, quote: str) -> list[tuple[str, int]]:
    """(char, 1-based file line) for each decoded character of a quoted scalar's raw text (quotes included)."""
    out: list[tuple[str, int, bool]] = []  # (char, line, produced by an escape: never stripped)
    line = first_line
    i = 1
    end = len(raw) - 1  # the closing quote
    while i < end:
        ch = raw[i]
        if ch == "\n":
            # folding: unescaped trailing blanks before the break and leading blanks after it are dropped;
            # one break reads as a space, n breaks as n - 1 line feeds
            while out and out[-1][0] in " \t" and not out[-1][2]:
                out.pop()
            breaks = 0
            while i < end and raw[i] in "\n \t":
                if raw[i] == "\n":
                    breaks += 1
                    line += 1
                i += 1
            if breaks == 1:
                out.append((" ", line, False))
            else:
                out.extend(("\n", line, True) for _ in range(breaks - 1))
            continue
        if quote == '"' and ch == "\\":
            nxt = raw[i + 1]
            if nxt == "\n":  # escaped line break: the lines join, leading blanks of the next line dropped
                line += 1
                i += 2
                while i < end and raw[i] in " \t":
                    i += 1
                continue
            if nxt in HEX:
                n = HEX[nxt]
                out.append((chr(int(raw[i + 2 : i + 2 + n], 16)), line, True))
                i += 2 + n
                continue
            out.append((ESCAPES[nxt], line, True))
            i += 2
            continue
        if quote == "'" and ch == "'" and raw[i + 1] == "'":
            out.append(("'", line, False))
            i += 2
            continue
        out.append((ch, line, False))
        i += 1
    return [(c, l) for c, l, _ in out]


def _decode_block(raw: str, first_line: int, value: str) -> list[tuple[str, int]]:
    """Literal block: content lines map 1:1 to value lines (header on first_line)."""
    out: list[tuple[str, int]] = []
    line = first_line + 1
    for ch in value:
        out.append((ch, line))
        if ch == "\n":
            line += 1
    return out


def code_scalar(path: Path, node_id: str) -> yaml.ScalarNode:
    root = yaml.compose(path.read_text(encoding="utf-8"))
    found = []
    for key, value in root.value:
        if key.value != "workflow":
            continue
        graph = dict((k.value, v) for k, v in value.value)["graph"]
        nodes = dict((k.value, v) for k, v in graph.value)["nodes"]
        for item in nodes.value:
            fields = dict((k.value, v) for k, v in item.value)
            if fields["id"].value == node_id:
                data = dict((k.value, v) for k, v in fields["data"].value)
                found.append(data["code"])
    if len(found) != 1:
        raise ValueError(f"{path}: {len(found)} nodes with id {node_id}")
    return found[0]


def code_line_in_dsl(path: Path, node_id: str, user_line: int) -> int:
    """1-based line of `path` holding the first character of the node code's line `user_line`
    (for an empty user line: the line holding its line break)."""
    text = path.read_text(encoding="utf-8")
    scalar = code_scalar(path, node_id)
    raw = text[scalar.start_mark.index : scalar.end_mark.index]
    first = scalar.start_mark.line + 1
    if scalar.style in ('"', "'"):
        chars = _decode_flow(raw, first, scalar.style)
    elif scalar.style in ("|",):
        chars = _decode_block(raw, first, scalar.value)
    else:
        raise ValueError(f"{path}: code scalar style {scalar.style!r} not handled")
    decoded = "".join(c for c, _ in chars)
    if decoded != scalar.value:
        raise ValueError(f"{path} node {node_id}: own decoding differs from PyYAML's value")
    starts = [0] + [i + 1 for i, (c, _) in enumerate(chars) if c == "\n"]
    if user_line > len(starts) or starts[user_line - 1] >= len(chars):
        raise ValueError(f"{path} node {node_id}: no user line {user_line}")
    return chars[starts[user_line - 1]][1]
