class FeishuError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"飞书接口错误 {code}: {msg}")
        self.code = code
