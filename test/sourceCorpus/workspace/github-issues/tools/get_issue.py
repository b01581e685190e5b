from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from models import Issue
from utils.client import GitHubClient


class GetIssueTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        client = GitHubClient.from_credentials(self.runtime.credentials)
        raw = client.get_issue(tool_parameters["repo"], int(tool_parameters["number"]))
        issue = Issue.model_validate(raw)

        yield self.create_variable_message("state", issue.state)
        yield self.create_text_message(f"#{issue.number} {issue.title} by @{issue.user.login}\n\n{issue.body or ''}")
