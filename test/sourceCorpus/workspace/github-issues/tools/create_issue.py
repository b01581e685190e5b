from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from utils.client import GitHubClient


class CreateIssueTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        labels = [label.strip() for label in tool_parameters.get("labels").split(",") if label.strip()]
        client = GitHubClient.from_credentials(self.runtime.credentials)
        payload = {"title": tool_parameters["title"], "body": tool_parameters.get("body", ""), "labels": labels}
        created = client._http.post(f"/repos/{tool_parameters['repo']}/issues", json=payload)
        created.raise_for_status()
        issue = created.json()
        yield self.create_link_message(issue["html_url"])
