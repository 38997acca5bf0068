"""GitHub webhook handlers, registered per (event, action).

A handler is a small class declaring what it wants; adding an event means adding a module under
webhooks/handlers/, not editing a switch:

    @wants("repository", "deleted")
    class RepositoryDeleted(WebhookHandler):
        def validate(self, payload): ...
        def handle(self, payload): ...
"""

from collections import defaultdict

ANY_ACTION = None

_registry = defaultdict(list)


class InvalidPayload(ValueError):
    """The payload lacks what the handler needs: answered 400, nothing changed."""


class WebhookHandler:
    def validate(self, payload):
        """Raise InvalidPayload when the payload cannot be handled."""

    def handle(self, payload):
        raise NotImplementedError


def wants(event, *actions):
    def register(handler_class):
        for action in actions or (ANY_ACTION,):
            _registry[(event, action)].append(handler_class)
        return handler_class

    return register


def handlers_for(event, action):
    classes = list(_registry.get((event, ANY_ACTION), []))
    if action is not ANY_ACTION:
        classes += _registry.get((event, action), [])
    return [cls() for cls in classes]


def field(payload, path, kind, nullable=False, max_length=None):
    """payload["a"]["b"] for path "a.b", checked to be of `kind`, or InvalidPayload naming it.

    Strings are also checked to be storable: no NUL, no lone surrogates, at most max_length.
    """
    value = payload
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise InvalidPayload(f"`{path}' is missing")
        value = value[key]
    if value is None and nullable:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise InvalidPayload(f"`{path}' must be {' or '.join(k.__name__ for k in kinds)}")
    if isinstance(value, str):
        if "\x00" in value or not _encodable(value):
            raise InvalidPayload(f"`{path}' holds characters that are not valid text")
        if max_length is not None and len(value) > max_length:
            raise InvalidPayload(f"`{path}' is longer than {max_length} characters")
    return value


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
