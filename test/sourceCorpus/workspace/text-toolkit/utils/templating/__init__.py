from utils.templating.expand import expand

__all__ = ["expand"]
