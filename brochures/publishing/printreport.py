"""A print PDF read back from the file: trim, bleed, pages, PDF/X, output intent, colours."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from brochures.files import read_cached, user_cache, write_cached

PT_TO_MM = 25.4 / 72
PAGES_PER_SHEET = 4  # a saddle-stitched booklet: one sheet folded in the middle holds four pages

# Content-stream operators that set a colour, and the colour space they set.
_OPERATOR_SPACES = {
    "rg": "DeviceRGB",
    "RG": "DeviceRGB",
    "k": "DeviceCMYK",
    "K": "DeviceCMYK",
    "g": "DeviceGray",
    "G": "DeviceGray",
}
_DEVICE = {"/DeviceRGB": "DeviceRGB", "/DeviceCMYK": "DeviceCMYK", "/DeviceGray": "DeviceGray"}


@dataclass
class PrintFacts:
    """One print PDF as a print shop's preflight sees it."""

    pages: int
    trim_mm: tuple[float, float]
    bleed_mm: float
    pdfx: str | None  # e.g. "PDF/X-4"; None: not PDF/X
    output_intent: str | None  # the output condition the intent names (its ICC profile)
    spaces: list[str]  # colour spaces used by content, images, shadings and groups
    rgb: list[str] = field(default_factory=list)  # where RGB is left, if anywhere

    def sheets(self, booklet: bool) -> int | None:
        return -(-self.pages // PAGES_PER_SHEET) if booklet else None


def read_facts(path: Path, sha256: str = "") -> PrintFacts:
    """The facts of a print PDF (pypdf), kept in the user cache by the file's SHA-256."""
    cached = user_cache("print-facts") / f"{sha256}.json" if sha256 else None
    if cached is not None:
        found = read_cached(cached, _decode)
        if found is not None:
            return found
    facts = _read(path)
    if cached is not None:
        write_cached(cached, asdict(facts))
    return facts


def _decode(data: dict) -> PrintFacts:
    facts = PrintFacts(**data)
    facts.trim_mm = (float(facts.trim_mm[0]), float(facts.trim_mm[1]))
    return facts


def _read(path: Path) -> PrintFacts:
    from pypdf import PdfReader

    reader = PdfReader(path)
    first = reader.pages[0]
    trim = first.trimbox
    media = first.mediabox
    bleed = max(0.0, float(trim.left) - float(media.left)) * PT_TO_MM
    root = reader.trailer["/Root"]
    intent = None
    pdfx = None
    for item in root.get("/OutputIntents") or []:
        item = item.get_object()
        if item.get("/S") == "/GTS_PDFX":
            intent = str(item.get("/OutputConditionIdentifier") or item.get("/Info") or "")
            intent = intent or "(unnamed)"
    xmp = reader.xmp_metadata
    version = None
    if xmp is not None:
        raw = xmp.rdf_root.toxml() if hasattr(xmp, "rdf_root") else ""
        marker = "GTS_PDFXVersion"
        if marker in raw:
            after = raw.split(marker, 1)[1]
            version = after.split(">", 1)[1].split("<", 1)[0] if ">" in after else None
    info = reader.metadata or {}
    version = version or info.get("/GTS_PDFXVersion")
    if version or intent:
        pdfx = str(version or "PDF/X").strip()
    spaces: set[str] = set()
    rgb: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        _scan(page, page.get("/Resources"), f"page {number}", spaces, rgb, set())
        group = page.get("/Group")
        if group is not None:
            _group(group.get_object(), f"page {number}", spaces, rgb)
    return PrintFacts(
        pages=len(reader.pages),
        trim_mm=(round(float(trim.width) * PT_TO_MM, 1), round(float(trim.height) * PT_TO_MM, 1)),
        bleed_mm=round(bleed, 1),
        pdfx=pdfx,
        output_intent=intent,
        spaces=sorted(spaces),
        rgb=rgb,
    )


def _space_name(value, resources) -> str:
    """A colour space's family: a device space, or the family of a named/array space."""
    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, str) and value in _DEVICE:
        return _DEVICE[value]
    if isinstance(value, str) and resources is not None:
        named = (resources.get("/ColorSpace") or {}).get(value)
        if named is not None:
            return _space_name(named, None)
        return value.lstrip("/")
    if isinstance(value, list) and value:
        family = str(value[0]).lstrip("/")
        if family == "ICCBased":
            stream = value[1].get_object()
            alternate = {1: "Gray", 3: "RGB", 4: "CMYK"}.get(int(stream.get("/N", 0)), "")
            return f"ICCBased {alternate}".strip()
        return family
    return str(value).lstrip("/")


def _scan(owner, resources, where: str, spaces: set, rgb: list, seen: set) -> None:
    """Colour spaces of one content stream (a page or a form) and what it draws."""
    from pypdf.generic import ContentStream

    resources = resources.get_object() if resources is not None else None
    contents = owner.get_contents() if hasattr(owner, "get_contents") else owner
    if contents is not None:
        stream = ContentStream(contents, owner.pdf if hasattr(owner, "pdf") else None)
        for operands, operator in stream.operations:
            op = operator.decode("latin-1")
            if op in _OPERATOR_SPACES:
                found = _OPERATOR_SPACES[op]
            elif op in ("cs", "CS") and operands:
                found = _space_name(operands[0], resources)
            else:
                continue
            spaces.add(found)
            if "RGB" in found:
                note = f"{where}: colour set in {found}"
                if note not in rgb:
                    rgb.append(note)
    if resources is None:
        return
    for name, shading in (resources.get("/Shading") or {}).items():
        found = _space_name(shading.get_object().get("/ColorSpace"), resources)
        spaces.add(found)
        if "RGB" in found:
            rgb.append(f"{where}: shading {name} in {found}")
    for name, xobject in (resources.get("/XObject") or {}).items():
        ref = getattr(xobject, "idnum", None)
        xobject = xobject.get_object()
        if ref is not None and ref in seen:
            continue
        seen.add(ref)
        label = f"{where}, {'image' if xobject.get('/Subtype') == '/Image' else 'form'} {name}"
        if xobject.get("/Subtype") == "/Image":
            if xobject.get("/ColorSpace") is not None:
                found = _space_name(xobject.get("/ColorSpace"), resources)
                spaces.add(found)
                if "RGB" in found:
                    rgb.append(f"{label} in {found}")
            continue
        group = xobject.get("/Group")
        if group is not None:
            _group(group.get_object(), label, spaces, rgb)
        _scan(xobject, xobject.get("/Resources") or resources, label, spaces, rgb, seen)


def _group(group, where: str, spaces: set, rgb: list) -> None:
    if group.get("/S") != "/Transparency" or group.get("/CS") is None:
        return
    found = _space_name(group.get("/CS"), None)
    spaces.add(found)
    if "RGB" in found:
        rgb.append(f"{where}: transparency group blends in {found}")
