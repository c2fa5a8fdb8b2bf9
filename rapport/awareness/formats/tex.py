"""TeX in BibTeX values as the Unicode text a reader would expect: accents, dashes, Greek
letters and symbols through pylatexenc; what it leaves out or spells its own way done here
first: sub- and superscripts in maths (Cu$_2$O → Cu₂O, $^\\circ$C → °C), the TeX logos,
\\slash, \\url and \\href (their text kept verbatim), and TeX quotes (``…'' → “…”).

`<` and `>` are ordinary characters here: `without_html` drops tags outside maths first.
"""

import re

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from rapport.awareness.formats.text import strip_tags

_LOGOS = {
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2ε",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX",
    "slash": "/",
    "textslash": "/",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textunderscore": "_",
    "deg": "°",
    "celsius": "°C",
    "degC": "°C",
    "textdegree": "°",
    "textmu": "µ",
    "micro": "µ",
}
_CONTEXT = get_default_latex_context_db().filter_context()
_CONTEXT.add_context_category(
    "rapport-bibtex",
    macros=[MacroTextSpec(name, simplify_repl=text) for name, text in _LOGOS.items()],
    prepend=True,
)
_LATEX = LatexNodes2Text(latex_context=_CONTEXT, math_mode="text", strict_latex_spaces=True)

_SUPER = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW′∗*",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′**",
        strict=True,
    )
)
_SUB = dict(
    zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
_DEGREE = {"∘", "○", "o", "\\circ"}

_GROUP = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"  # braces nested up to three deep
_MATH = re.compile(
    r"(?<!\\)\$\$?(.+?)(?<!\\)\$\$?|\\\((.+?)\\\)|\\ensuremath\s*(" + _GROUP + ")", re.S
)
_SCRIPT = re.compile(r"([_^])\s*(" + _GROUP + r"|\\[A-Za-z]+|[^\s\\{}])")
_TEXT_SCRIPT = re.compile(r"\\text(super|sub)script\s*(" + _GROUP + ")")
_VERBATIM = re.compile(r"\\(?:url|path)\s*\{([^{}]*)\}")
_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*(" + _GROUP + ")")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_OPEN_SINGLE = re.compile(r"(?<![\w`])`(?!`)([^`']*)'(?!')")
_KEEP = "\ue000{}\ue001"
_KEPT = re.compile("\ue000(\\d+)\ue001")


def _scripted(mark: str, argument: str) -> str:
    """A sub- or superscript as Unicode characters; as written ("_max") when some character
    has no such form."""
    inner = argument[1:-1] if argument.startswith("{") else argument
    text = inner.strip() if inner.strip() in _DEGREE else _plain(inner).strip()
    if mark == "^" and text in _DEGREE:
        return "°"
    table = _SUPER if mark == "^" else _SUB
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _maths(found: re.Match[str]) -> str:
    body = next(g for g in found.groups() if g is not None)
    if found.group(3) is not None:
        body = body[1:-1]
    return _SCRIPT.sub(lambda m: _scripted(m.group(1), m.group(2)), body)


def _quotes(text: str) -> str:
    text = text.replace("``", "“").replace("''", "”")
    return _OPEN_SINGLE.sub(r"‘\1’", text)


def _plain(value: str) -> str:
    try:
        return _LATEX.latex_to_text(_BARE_PERCENT.sub(r"\\%", value))
    except Exception:  # pylatexenc gives up on some broken markup; keep the text we have
        return value.replace("{", "").replace("}", "")


def tex_to_text(value: str) -> str:
    """Unicode text from a BibTeX value's TeX: the braces that protect capitals dropped."""
    if not any(ch in value for ch in "\\$~%`^_") and "--" not in value and "''" not in value:
        # Only braces protecting capitals: no need for the (slow) LaTeX parser.
        return value.replace("{", "").replace("}", "")
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return _KEEP.format(len(kept) - 1)

    text = _VERBATIM.sub(lambda m: keep(m.group(1).strip()), value)
    text = _HREF.sub(lambda m: m.group(1), text)
    text = _TEXT_SCRIPT.sub(
        lambda m: keep(_scripted("^" if m.group(1) == "super" else "_", m.group(2))), text
    )
    parts = []
    last = 0
    for found in _MATH.finditer(text):
        parts.append(_quotes(text[last : found.start()]))
        parts.append(keep(_plain(_maths(found))))
        last = found.end()
    parts.append(_quotes(text[last:]))
    return _KEPT.sub(lambda m: kept[int(m.group(1))], _plain("".join(parts)))


def without_html(value: str) -> str:
    """The value without the HTML tags some reference managers export (<i>…</i>), outside
    maths only: "$p<q$" is maths, not a tag."""
    if "<" not in value:
        return value
    parts, last = [], 0
    for found in _MATH.finditer(value):
        parts += [strip_tags(value[last : found.start()]), found.group(0)]
        last = found.end()
    return "".join([*parts, strip_tags(value[last:])])
