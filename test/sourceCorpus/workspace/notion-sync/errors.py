class NotionAPIError(Exception):
    """An error answered by the Notion API, or a request we refuse to send."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
