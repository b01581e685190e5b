from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils import stats


class WordStatsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        text = tool_parameters["text"]
        result = {
            "words": len(stats.words(text)),
            "sentences": stats.sentence_count(text),
            "average_sentence_length": round(stats.average_sentence_length(text), 2),
            "top_words": stats.top_words(text),
        }
        yield self.create_json_message(result)
