"""Generators of hostile and extreme input for the fuzzing suite (no downloads: everything is built here).

Every generator takes a ``random.Random`` (or a size) and returns bytes or text, so a seed
reproduces a run. Families (issue 15):

- pattern bombs: counted-repeat regexes that expand at compile time, catastrophic-backtracking
  regexes (rule ``regex``, spaCy ``REGEX`` in ``pattern`` rules, ``--speaker-pattern``), glob bombs
- YAML bombs: alias expansion ("billion laughs") in front matter, ``metadata.yaml`` and codebooks;
  deep nesting in quanteda dictionaries
- office files: many-paragraph DOCX/ODT (size budgets), truncated and bit-flipped zips, XXE
- subtitles: many cues, malformed cues, markup-like text
- markup: rich markup (``[/x]``, ``[bold]``) in names, text, ids and terms
- mutations: truncation, bit flips, byte insertions and deletions of good files
"""

from __future__ import annotations

import io
import random
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

GOOD_TEXTS = (
    "The Parties shall cooperate in technical training and capacity building.\n\n"
    "The ILO provides funding for the labour inspection programme.\n",
    "Article 1\n\nThe Government of Indonesia and the Netherlands agree on a work plan.\n\n"
    "Article 2\n\nExperts shall be exchanged between the ministries.\n",
    "Interviewer: What did the project achieve?\n\nRespondent: Training for workers and employers.\n\n"
    "Interviewer: Any funding?\n\nRespondent: No funding was given.\n",
)

MARKUP = ("[/x]", "[bold]", "[/]", "evil[", "x]", "[red]oops[/red]", "[link=file:///etc/passwd]l[/link]", "\\[/x]")
#: markup that can stand in a file name (no "/": closing tags come from a folder "x[" and a file "bad]...")
NAME_MARKUP = ("[bold]", "evil[", "x]", "[red]oops", "[link=file:x]l", "\\[b]")


# --------------------------------------------------------------------------- patterns


def nested_repeat(levels: int = 4, count: int = 100, atom: str = "a") -> str:
    """``((((a{100}){100}){100}){100})``: 30 characters that the regex module expands to 10^8 items."""
    p = atom
    for _ in range(levels):
        p = f"({p}{{{count}}})"
    return p


CATASTROPHIC = ("^(a+)+$", "(a|aa)+$", "(a*)*b", "^(\\w+\\s?)*$", "(x+x+)+y")
GLOB_BOMBS = ("a*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*?b", "?*?*?*?*?*?*?*?*z")


def codebook_yaml(rules: list[str], *, name: str = "fuzz", code_id: str = "c") -> str:
    """A codebook with one code holding ``rules`` (each a YAML flow mapping)."""
    body = "".join(f"      - {r}\n" for r in rules)
    return f"name: {name}\nversion: '1'\nlanguages: [en]\ncodes:\n  - id: {code_id}\n    name: C\n    rules:\n{body}"


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def regex_rule(pattern: str, rid: str = "r") -> str:
    return f"{{id: {rid}, kind: regex, pattern: {_q(pattern)}}}"


def glob_rule(term: str, rid: str = "g") -> str:
    return f"{{id: {rid}, kind: glob, terms: [{_q(term)}]}}"


def spacy_regex_rule(pattern: str, rid: str = "p") -> str:
    return f"{{id: {rid}, kind: pattern, pattern: [{{LOWER: {{REGEX: {_q(pattern)}}}}}]}}"


def hostile_codebooks(rng: random.Random) -> dict[str, str]:
    """Codebooks for every pattern attack family (name -> YAML text)."""
    return {
        "regex_bomb": codebook_yaml([regex_rule(nested_repeat())]),
        "regex_catastrophic": codebook_yaml([regex_rule(rng.choice(CATASTROPHIC))]),
        "spacy_regex_catastrophic": codebook_yaml([spacy_regex_rule("^(a+)+$")]),
        "spacy_regex_bomb": codebook_yaml([spacy_regex_rule(nested_repeat())]),
        "glob_bomb": codebook_yaml([glob_rule(rng.choice(GLOB_BOMBS))]),
        "billion_laughs": laughs_yaml(9) + codebook_yaml([glob_rule("x")]),
        "markup_ids": codebook_yaml(["{id: 'x]', kind: phrase, terms: ['[/x]', 'training']}"], code_id="'evil['"),
    }


# --------------------------------------------------------------------------- YAML


def laughs_yaml(levels: int = 9, width: int = 9, key: str = "lol") -> str:
    """YAML anchors, each level a list of ``width`` aliases of the one before (width**levels nodes)."""
    lines = [f"{key}0: &{key}0 [x]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*{key}{i - 1}"] * width)
        lines.append(f"{key}{i}: &{key}{i} [{refs}]")
    return "\n".join(lines) + "\n"


def front_matter_bomb(levels: int = 8) -> str:
    """A Markdown file whose 400-byte front matter expands to ~9**levels nodes."""
    return "---\n" + laughs_yaml(levels) + "---\nBody text about training.\n"


def metadata_bomb(levels: int = 8) -> str:
    return laughs_yaml(levels, key="m") + "a.txt: {type: x}\n"


def deep_quanteda(depth: int = 500) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "- word\n"


# --------------------------------------------------------------------------- office files


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{_xml(p)}</w:t></w:r></w:p>' for p in paragraphs)
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" '
           f'xmlns:r="{REL}"><w:body>{body}</w:body></w:document>')
    return _docx_package(doc)


def _docx_package(document_xml: str, content_types: str = '<?xml version="1.0"?><Types xmlns="http://schemas.'
                  'openxmlformats.org/package/2006/content-types"/>') -> bytes:
    """A .docx zip around ``document_xml`` (word/document.xml) with the one relationship Word needs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                   'Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def docx_many_paragraphs(n: int) -> bytes:
    """``n`` one-word paragraphs: a few MB of zip that parse to n paragraph objects."""
    return docx([f"w{i * 7919 % 100_003}" for i in range(n)])


def docx_xxe() -> bytes:
    evil = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">'
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&x;&b;</w:t></w:r></w:p></w:body></w:document>')
    return _docx_package(evil, "<Types/>")


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- subtitles


def vtt(cues: list[str]) -> str:
    out = ["WEBVTT", ""]
    for i, text in enumerate(cues):
        s, e = i * 2, i * 2 + 1
        out += [f"00:{s // 60 % 60:02d}:{s % 60:02d}.000 --> 00:{e // 60 % 60:02d}:{e % 60:02d}.500", text, ""]
    return "\n".join(out)


def vtt_many_cues(n: int) -> str:
    return vtt(["w"] * n)


def vtt_malformed(rng: random.Random) -> str:
    lines = ["WEBVTT", "", "00:00:01.000 --> garbage [/x]", rng.choice(MARKUP), "",
             "99:99:99.999 --> 00:00:00.000", "[bold]text[/]", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- mutations


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random mutation: truncation, bit flips, a byte run inserted or deleted, or a duplication."""
    if not data:
        return bytes(rng.randrange(256) for _ in range(16))
    kind = rng.randrange(5)
    b = bytearray(data)
    if kind == 0:
        return bytes(b[: rng.randrange(len(b))])
    if kind == 1:
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind == 2:
        i = rng.randrange(len(b))
        return bytes(b[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + b[i:])
    if kind == 3:
        i = rng.randrange(len(b))
        return bytes(b[:i] + b[i + rng.randint(1, 64):])
    i = rng.randrange(len(b))
    return bytes(b[:i] + b[i:] * 2)


def hostile_files(rng: random.Random, *, scale: int = 1) -> dict[str, bytes]:
    """File name -> bytes for one fuzzing round (every attack family on input files)."""
    base_docx = docx(["Training for labour inspectors.", "Funding from the ILO."])
    base_vtt = vtt(["Training for workers.", "No funding."]).encode()
    files = {
        "fm_bomb.md": front_matter_bomb(8).encode(),
        "many_paras.docx": docx_many_paragraphs(20_000 * scale),
        "xxe.docx": docx_xxe(),
        "many_cues.vtt": vtt_many_cues(5_000 * scale).encode(),
        "bad_cues.vtt": vtt_malformed(rng).encode(),
        f"markup {rng.choice(NAME_MARKUP)}.txt": f"Text with {rng.choice(MARKUP)} markup and training.\n".encode(),
        "sub x[/bad].txt": bytes(rng.randrange(256) for _ in range(512)),  # path holds "x[/bad]"
        "binary.txt": bytes(rng.randrange(256) for _ in range(2048)),
        "empty.txt": b"",
        "long_token.txt": (b"a" * (2_000 * scale) + b"b\n"),
    }
    for i in range(3 * scale):
        files[f"mut{i}.docx"] = mutate(base_docx, rng)
        files[f"mut{i}.vtt"] = mutate(base_vtt, rng)
        files[f"mut{i}.md"] = mutate(front_matter_bomb(3).encode(), rng)
    return files
