from typing import Any

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError


class NotionSyncProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        token = credentials.get("integration_token", "")
        if not token.startswith(("secret_", "ntn_")):
            raise ToolProviderCredentialValidationError("Not a Notion integration token")
