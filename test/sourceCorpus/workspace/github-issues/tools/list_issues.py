from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.client import GitHubClient
from utils.parsing import format_issue_line, summarize_issue


class ListIssuesTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        client = GitHubClient.from_credentials(self.runtime.credentials)
        repo = tool_parameters["repo"]
        state = tool_parameters.get("state", "open")

        issues = client.list_issues(repo, state=state)
        summaries = [summarize_issue(issue) for issue in issues if "pull_request" not in issue]

        yield self.create_text_message("\n".join(format_issue_line(s) for s in summaries))
        yield self.create_json_message({"repo": repo, "issues": summaries})
