"""Translation: gettext catalogs, message checks, machine translation and its models."""
