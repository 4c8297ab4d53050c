"""The message analyzer: a pure-Python library (no Django) that reads a message or its
header block, verifies its DKIM signatures and ARC chain, re-evaluates SPF, decides DMARC
alignment per route, sets the receiver's recorded results beside ours, and names the
catalog vendor that sent it.

Front ends call `analyze` with a checker `Resolver`, then `identify_vendors` with the
catalog's knowledge; the JSON that comes back holds codes and parameters only.
"""

from .evaluate import analyze, read_headers
from .message import MAX_MESSAGE_BYTES, MessageInputError, parse_message
from .vendors import identify_vendors, recipe

__all__ = [
    "MAX_MESSAGE_BYTES",
    "MessageInputError",
    "analyze",
    "identify_vendors",
    "parse_message",
    "read_headers",
    "recipe",
]
