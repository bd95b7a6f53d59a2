"""XML from outside, parsed without resolving anything: no DOCTYPE, no entity, no external reference
(`defusedxml`), and no more than MAX_BYTES read."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from generator.imports import SourceError

MAX_BYTES = 64 * 1024 * 1024  # a CIB with thousands of resources and their history is a few MB


def parse(raw: bytes, file: str) -> Element:
    if len(raw) > MAX_BYTES:
        raise SourceError(file, "", f"{len(raw):,} bytes, more than the {MAX_BYTES:,} an import reads")
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise SourceError(file, "", f"refused: {_refusal(error)}; a CIB or crm_mon output has none") from None
    except ParseError as error:
        line, column = error.position
        raise SourceError(file, f"line {line}, column {column + 1}", f"not well-formed XML ({_reason(error)})") \
            from None


def _refusal(error: DefusedXmlException) -> str:
    name = type(error).__name__
    return {"DTDForbidden": "a DOCTYPE declaration", "EntitiesForbidden": "an entity declaration",
            "ExternalReferenceForbidden": "an external reference"}.get(name, name)


def _reason(error: ParseError) -> str:
    return str(error).split(":", 1)[0]
