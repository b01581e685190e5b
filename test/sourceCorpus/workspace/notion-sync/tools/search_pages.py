from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

RECENT_PAGES = [
    {"id": "3f0a", "title": "Quarterly planning"},
    {"id": "77c1", "title": "Hiring pipeline"},
]


class SearchPagesTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        query = tool_parameters["query"].lower()
        matches = [page for page in RECENT_PAGES if query in page["title"].lower()]
        best = matches[0]
        yield self.create_text_message(f"{best['title']} ({best['id']})")
