import re

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def expand(template: str, variables: dict[str, str]) -> str:
    """Replaces {{ name }} with its value, expanding placeholders inside values too."""

    def substitute(match: re.Match[str]) -> str:
        value = variables.get(match.group(1), "")
        return expand(value, variables)

    return PLACEHOLDER.sub(substitute, template)
