import json
from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.templating import expand


class RenderTemplateTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        variables = json.loads(tool_parameters["variables"])
        rendered = expand(tool_parameters["template"], {k: str(v) for k, v in variables.items()})
        yield self.create_text_message(rendered)
