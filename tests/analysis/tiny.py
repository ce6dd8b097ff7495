"""A tiny hand-made coded corpus whose numbers are counted by hand in the tests.

Two documents, five codes in a two-level tree, one code name that is an XSS attempt.

doc "mou" (type=mou, year 2017):
  para 0 "The ILO and the Ministry agree on training."   actor.io ("ILO"), actor.gov ("Ministry"),
                                                          mech.training ("agree on training")
         plus actor.gov's second match "Ministry agree" crosses mech.training's "agree on training"
  para 1 "Funding comes from donors."                    mech.funding ("Funding")
  para 2 "Nothing here."                                 (no code)
doc "int" (type=interview):
  para 0 "Interviewer: Did the ILO train you?"           actor.io ("ILO") speaker Interviewer
  para 1 "Ibu Sari: Yes, training and funding helped."   mech.training ("training"),
                                                          mech.funding ("funding") speaker Ibu Sari
"""

from __future__ import annotations

from qualcoop.model import Code, Codebook, Coding, CodingSet, Document, Evidence, Provenance, Rule, Source

EVIL = "<img src=x onerror=alert(1)>"

MOU = "The ILO and the Ministry agree on training.\n\nFunding comes from donors.\n\nNothing here."
INT = "Interviewer: Did the ILO train you?\n\nIbu Sari: Yes, training and funding helped."


def paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for part in text.split("\n\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 2
    return out


def codebook() -> Codebook:
    return Codebook(name="tiny", version="1", codes=(
        Code(id="actor", name="Actors"),
        Code(id="actor.io", name=EVIL, parent="actor", color="#1f77b4",
             rules=(Rule(id="acr", kind="phrase", terms=("ILO", "UN"), code_id="actor.io"),)),
        Code(id="actor.gov", name="Government", parent="actor",
             rules=(Rule(id="terms", kind="phrase", terms=("ministry",), code_id="actor.gov"),
                    Rule(id="unused", kind="phrase", terms=("parliament", "training"), code_id="actor.gov"))),
        Code(id="mech", name="Mechanisms"),
        Code(id="mech.training", name="Training", parent="mech",
             rules=(Rule(id="terms", kind="phrase", terms=("training", "train"), code_id="mech.training"),)),
        Code(id="mech.funding", name="Funding", parent="mech",
             rules=(Rule(id="terms", kind="phrase", terms=("funding",), code_id="mech.funding"),)),
        Code(id="outcome", name="Outcomes"),
    ))


def _ev(text: str, word: str, rule: str, *, nth: int = 0, base: int = 0) -> Evidence:
    k = -1
    for _ in range(nth + 1):
        k = text.index(word, k + 1)
    return Evidence(k, k + len(word), word, rule)


def coding_set() -> CodingSet:
    prov = Provenance(method="rule", coder="test", codebook="tiny", codebook_version="1", run_id="run-1")
    src = Source(path="mou.txt", sha256="0" * 64, media_type="text/plain", extractor="test",
                 extractor_version="1", page_starts=(0, 45))
    mou = Document(id="mou", text=MOU, attributes={"type": "mou", "date": "2017-03-14",
                                                  "title": "MoU <b>bold</b>"}, source=src)
    intv = Document(id="int", text=INT, attributes={"type": "interview", "title": "Interview"})
    m, i = paragraphs(MOU), paragraphs(INT)
    C = Coding
    codings = [
        C("mou", *m[0], "actor.io", prov, 0, "paragraph", None, (_ev(MOU, "ILO", "actor.io/acr"),)),
        C("mou", *m[0], "actor.gov", prov, 0, "paragraph", None,
          (_ev(MOU, "Ministry", "actor.gov/terms"), _ev(MOU, "Ministry agree", "actor.gov/terms"))),
        C("mou", *m[0], "mech.training", prov, 0, "paragraph", None,
          (_ev(MOU, "agree on training", "mech.training/terms"),)),
        C("mou", *m[1], "mech.funding", prov, 1, "paragraph", None, (_ev(MOU, "Funding", "mech.funding/terms"),)),
        C("int", *i[0], "actor.io", prov, 0, "paragraph", "Interviewer", (_ev(INT, "ILO", "actor.io/acr"),)),
        C("int", *i[1], "mech.training", prov, 1, "paragraph", "Ibu Sari",
          (_ev(INT, "training", "mech.training/terms"),)),
        C("int", *i[1], "mech.funding", prov, 1, "paragraph", "Ibu Sari",
          (_ev(INT, "funding", "mech.funding/terms"),)),
    ]
    return CodingSet(codings, documents={"mou": mou, "int": intv}, codebook=codebook())


#: evidence spans in the tiny set (each matched word of each coding): 1+2+1+1+1+1+1
N_EVIDENCE = 8
#: coded segments: mou para 0, mou para 1, int para 0, int para 1
N_SEGMENTS = 4
