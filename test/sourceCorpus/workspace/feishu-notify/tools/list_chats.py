from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from feishu.auth import tenant_access_token


class ListChatsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        token = tenant_access_token(self.runtime.credentials["app_id"], self.runtime.credentials["app_secret"])
        page_size = int(tool_parameters.get("page_size") or 20)
        if not 1 <= page_size <= 100:
            raise ValueError(f"page_size must be between 1 and 100, got {page_size}")
        yield self.create_json_message({"token": token[:6] + "…", "page_size": page_size})
