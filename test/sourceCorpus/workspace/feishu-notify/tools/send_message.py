from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from feishu.cards import text_content


class SendMessageTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        mentions = [m.strip() for m in (tool_parameters.get("mentions") or "").split(",") if m.strip()]
        content = text_content(tool_parameters["text"], mentions)
        yield self.create_json_message({"receive_id": tool_parameters["chat_id"], "msg_type": "text", "content": content})
