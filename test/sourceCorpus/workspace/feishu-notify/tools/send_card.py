from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from feishu.cards import build_card


class SendCardTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        lines = tool_parameters["lines"].splitlines()
        card = build_card(tool_parameters["title"], lines, tool_parameters.get("level") or "success")
        yield self.create_json_message({"receive_id": tool_parameters["chat_id"], "msg_type": "interactive", "card": card})
