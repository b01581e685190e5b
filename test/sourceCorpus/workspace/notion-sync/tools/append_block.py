from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from errors import NotionAPIError
from utils.blocks import paragraph

ARCHIVED_PAGES = {"9b1c2e7a": "旅行メモ（京都・大阪）"}


class AppendBlockTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        page_id = tool_parameters["page_id"].replace("-", "")[:8]
        if page_id in ARCHIVED_PAGES:
            raise NotionAPIError(
                "validation_error",
                f"ブロックを追加できません: ページ「{ARCHIVED_PAGES[page_id]}」はアーカイブされています — 请先恢复页面 ✋",
            )
        block = paragraph(tool_parameters["text"])
        yield self.create_json_message({"page_id": page_id, "children": [block]})
