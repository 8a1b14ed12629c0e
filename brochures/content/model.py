"""Shared base of the typed input models: strict keys, slugs, sanitised inline markup."""

from __future__ import annotations

import html
import re
from typing import Annotated

import nh3
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from brochures.content.yamlfile import LINE_KEY

INLINE_TAGS = {"strong", "em", "a", "br"}
INLINE_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class Model(BaseModel):
    """Strict model: unknown keys are errors, and every mapping knows its YAML line."""

    # Each key's docstring is its description in the JSON Schema and docs/files.md.
    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )

    line: int = Field(0, alias=LINE_KEY, exclude=True)


def sanitize_inline(text: str) -> str:
    """Keep the small set of inline markup; remove everything else (scripts, styles, images)."""
    cleaned = nh3.clean(
        text,
        tags=INLINE_TAGS,
        attributes=INLINE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return " ".join(cleaned.split())


def plain_text(text: str) -> str:
    """A title or label: all markup removed, whitespace normalised, entities resolved."""
    return " ".join(html.unescape(nh3.clean(text, tags=set())).split())


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _slug(text: str) -> str:
    if not _SLUG.fullmatch(text):
        raise ValueError(f"'{text}' is not a valid id (lowercase a-z, digits and single hyphens)")
    return text


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
Slug = Annotated[str, AfterValidator(_slug)]
InlineHtml = Annotated[str, AfterValidator(_not_blank), AfterValidator(sanitize_inline)]
PlainText = Annotated[str, AfterValidator(_not_blank), AfterValidator(plain_text)]
