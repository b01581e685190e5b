from typing import Any

import httpx

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError

from utils.client import GitHubClient


class GitHubIssuesProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        client = GitHubClient.from_credentials(credentials)
        try:
            login = client.current_user()["login"]
        except httpx.HTTPStatusError as e:
            raise ToolProviderCredentialValidationError(
                f"GitHub rejected the access token ({e.response.status_code})"
            ) from e
        if not login:
            raise ToolProviderCredentialValidationError("The token has no user")
