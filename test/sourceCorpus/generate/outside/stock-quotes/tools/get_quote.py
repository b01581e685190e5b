from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

QUOTES = {"ACME": {"price": 12.5, "currency": "USD"}}


class GetQuoteTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        ticker = tool_parameters["ticker"].upper()
        quote = QUOTES[ticker]
        yield self.create_json_message({"ticker": ticker, **quote})
