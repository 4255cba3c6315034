"""Template placeholders: the fixed list, the check when a template is saved, rendering, SMS length.

Templates are rendered by Django's template engine (no HTML escaping: messages are plain text),
with the variables below and the tags if/elif/else/endif only.
"""

import math
import re

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PLACEHOLDERS = {
    "customer_name": gettext_lazy("the customer's full name"),
    "membership_number": gettext_lazy("the customer's membership number"),
    "points_change": gettext_lazy("points added (positive) or taken away (negative) by this event"),
    "points_balance": gettext_lazy("the customer's points balance after the event"),
    "store_name": gettext_lazy("the store's name (setting STORE_NAME)"),
    "date": gettext_lazy("the event's date, e.g. {{ date|date:'d M Y' }}"),
}
ALLOWED_TAGS = {"if", "elif", "else", "endif"}
_WORDS_IN_CONDITIONS = {"and", "or", "not", "in", "is", "None", "True", "False"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

ENGINE = Engine(autoescape=False, string_if_invalid="", builtins=["django.template.defaulttags"])


def _names_in(expression: str) -> list[str]:
    """Return the variable names an expression uses (the part before any . or |)."""
    expression = re.sub(r"\"[^\"]*\"|'[^']*'", "", expression)
    names = []
    for part in re.split(r"\s+", expression.strip()):
        base = part.split("|")[0].split(".")[0]
        if base and _NAME.fullmatch(base) and base not in _WORDS_IN_CONDITIONS:
            names.append(base)
    return names


def template_check(text: str) -> None:
    """Raise ValidationError naming every unknown placeholder or tag, with the allowed list."""
    unknown: list[str] = []
    for token in Lexer(text).tokenize():
        content = token.contents.strip()
        if token.token_type == TokenType.VAR:
            unknown += [name for name in _names_in(content.split("|")[0]) if name not in PLACEHOLDERS]
        elif token.token_type == TokenType.BLOCK:
            tag, _space, rest = content.partition(" ")
            if tag not in ALLOWED_TAGS:
                raise ValidationError(
                    _("“{%% %(tag)s %%}” is not allowed; only placeholders and if/elif/else/endif.") % {"tag": tag}
                )
            unknown += [name for name in _names_in(rest) if name not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. Allowed: %(allowed)s.")
            % {
                "unknown": ", ".join(f"{{{{ {name} }}}}" for name in dict.fromkeys(unknown)),
                "allowed": ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS),
            }
        )
    try:
        ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise ValidationError(_("The template cannot be read: %(error)s") % {"error": error}) from None


def render(text: str, context: dict) -> str:
    return ENGINE.from_string(text).render(Context(context, autoescape=False))


# GSM 03.38: the basic set (one unit each) and the extension set (two units: escape + char).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_length(text: str) -> dict:
    """Return the SMS encoding, its length in characters (units) and how many segments it takes."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "Unicode"
    segments = 0 if units == 0 else 1 if units <= single else math.ceil(units / multi)
    return {
        "encoding": encoding,
        "characters": units,
        "segments": segments,
        "per_segment": single if segments <= 1 else multi,
    }
