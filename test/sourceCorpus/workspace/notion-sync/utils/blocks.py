from typing import Any

SUPPORTED_BLOCK_TYPES = ("paragraph", "heading_1", "heading_2", "heading_3", "to_do", "bulleted_list_item")


def rich_text(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": content}}]


def paragraph(content: str) -> dict[str, Any]:
    return {"object": "block", "type": "paragraph", "paragraph": {"rich_text": rich_text(content)}}


def title_property(parts: list[Any]) -> dict[str, Any]:
    text = " ".join(parts)
    return {"title": rich_text(text)}
