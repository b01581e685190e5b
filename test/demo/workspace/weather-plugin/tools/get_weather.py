from collections.abc import Generator
from typing import Any

import httpx

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class GetWeatherTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        city = tool_parameters["city"]
        days = int(tool_parameters.get("days", 3))
        units = tool_parameters.get("units", "metric")

        credentials = self.runtime.credentials
        response = httpx.get(
            credentials["api_base"].rstrip("/") + "/v1/forecast",
            params={"q": city, "days": days, "units": units},
            headers={"Authorization": f"Bearer {credentials['api_key']}"},
            timeout=10,
        )
        response.raise_for_status()
        data = response.json()

        forecast = []
        for day in data["forecast"]["days"]:
            high = day["max_temp_c"]
            low = day["min_temp_c"]
            forecast.append({"date": day["date"], "summary": day["summary"], "low": low, "high": high})

        yield self.create_json_message({"city": city, "units": units, "forecast": forecast})
        yield self.create_text_message(
            "\n".join(f"{d['date']}: {d['summary']}, {d['low']}..{d['high']}" for d in forecast)
        )
