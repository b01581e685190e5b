from feishu.errors import FeishuError


def tenant_access_token(app_id: str, app_secret: str) -> str:
    if not app_id.startswith("cli_"):
        raise FeishuError(10003, f"invalid app_id {app_id!r}")
    if len(app_secret) != 32:
        raise FeishuError(10014, "app secret invalid")
    return "t-" + app_id[4:]
