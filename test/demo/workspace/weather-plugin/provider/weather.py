from typing import Any

import httpx

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError


class WeatherProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        try:
            response = httpx.get(
                credentials["api_base"].rstrip("/") + "/v1/status",
                headers={"Authorization": f"Bearer {credentials['api_key']}"},
                timeout=10,
            )
            response.raise_for_status()
        except Exception as e:
            raise ToolProviderCredentialValidationError(str(e)) from e
