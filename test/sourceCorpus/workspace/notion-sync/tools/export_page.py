from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.blocks import SUPPORTED_BLOCK_TYPES


class ExportPageTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        wanted = [t.strip() for t in (tool_parameters.get("block_types") or "").split(",") if t.strip()]
        unsupported = [t for t in wanted if t not in SUPPORTED_BLOCK_TYPES]
        if unsupported:
            raise ValueError(
                f"{len(unsupported)} unsupported block types requested for page {tool_parameters['page_id']}: "
                + "; ".join(f"{i + 1}. '{t}' is not one of {', '.join(SUPPORTED_BLOCK_TYPES)}" for i, t in enumerate(unsupported))
            )
        yield self.create_text_message(f"# Export of {tool_parameters['page_id']}\n")
