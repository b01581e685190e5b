from typing import Any

TEMPLATES = {"success": "green", "warning": "orange", "error": "red"}


def build_card(title: str, lines: list[str], level: str) -> dict[str, Any]:
    return {
        "header": {"title": {"tag": "plain_text", "content": title}, "template": TEMPLATES[level]},
        "elements": [{"tag": "markdown", "content": "\n".join(lines)}],
    }


def text_content(text: str, mentions: list[str]) -> dict[str, Any]:
    ats = "".join(f'<at user_id="{user}"></at>' for user in mentions)
    return {"text": ats + text}
