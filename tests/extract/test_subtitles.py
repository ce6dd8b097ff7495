"""WebVTT and SRT: the webvtt-py and W3C test files (MANIFEST section C), our fixtures, hypothesis."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.errors import CorruptDocumentError, EmptyDocumentError, ExtractionError, ExtractionQualityWarning
from qualcoop.extract import extract_file
from qualcoop.extract.base import ExtractOptions
from qualcoop.extract.subtitles import (
    Cue,
    SrtExtractor,
    VttExtractor,
    build_document,
    cue_text,
    format_timestamp,
    parse_srt,
    parse_vtt,
)

HERE = Path(__file__).resolve().parents[1] / "data" / "transcripts"


@pytest.fixture(scope="module")
def vtt_dir(shared):
    return shared / "transcripts" / "vtt_webvtt_py"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _vtt(path: Path, options: ExtractOptions | None = None):
    return VttExtractor().extract(path, path.read_bytes(), options or ExtractOptions())


def _regions(got, kind):
    return [r for r in got.regions if r.kind == kind]


# --------------------------------------------------------------------------- webvtt-py files


def test_sample_and_one_caption(vtt_dir):
    cues = parse_vtt(_read(vtt_dir / "sample.vtt"))
    assert len(cues) == 16
    assert (cues[0].start, cues[0].end, cues[0].text) == (0.5, 7.0, "Caption text #1")
    assert (cues[-1].start, cues[-1].end, cues[-1].text) == (61.35, 64.3, "Caption text #16")
    one = parse_vtt(_read(vtt_dir / "one_caption.vtt"))
    assert [(c.start, c.end, c.text, c.identifier, c.voice) for c in one] == [
        (0.5, 7.0, "Caption text #1", None, None)]


def test_cue_tags_and_inline_timestamps(vtt_dir):
    cues = parse_vtt(_read(vtt_dir / "cue_tags.vtt"))
    assert [c.text for c in cues] == ["When the moon hits your eye", "Like a big-a pizza pie", "That's amore"]
    assert (cues[0].start, cues[0].end) == (16.5, 18.5)  # "00:16.500" (mm:ss.ttt)


def test_bom_comments_and_metadata_headers(vtt_dir):
    raw = (vtt_dir / "captions_with_bom.vtt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert len(parse_vtt(raw.decode("utf-8"))) == 4  # BOM kept in the str: still parsed
    assert len(_regions(_vtt(vtt_dir / "captions_with_bom.vtt"), "cue")) == 4
    comments = parse_vtt(_read(vtt_dir / "comments.vtt"))
    assert len(comments) == 3
    assert comments[0].lines == ("- Ta en kopp varmt te.", "- Det är inte varmt.")
    assert comments[0].identifier == "1" and comments[1].lines[1] == "- Det smakar som te."
    assert not any("NOTE" in c.text or "Kyle" in c.text for c in comments)
    for name in ("metadata_headers.vtt", "metadata_headers_multiline.vtt"):
        got = _vtt(vtt_dir / name)
        assert len(_regions(got, "cue")) == 2
        assert got.attributes == {"language": "en"}
        assert got.details["vtt_header"]["kind"] == "captions"
        assert got.text == "Caption text #1 Caption text #2\n"


def test_identifiers(vtt_dir):
    cues = parse_vtt(_read(vtt_dir / "using_identifiers.vtt"))
    assert len(cues) == 6
    assert [c.identifier for c in cues[:4]] == [None, "second caption", None, "4"]


def test_timing_line_inside_cue_text_starts_a_cue(vtt_dir):
    cues = parse_vtt(_read(vtt_dir / "invalid_timeframe_in_cue_text.vtt"))
    assert [c.text for c in cues] == ["Caption text #1", "", "Caption text #2", "Caption text #3"]
    assert (cues[1].start, cues[1].end) == (7.0, 10.89)
    got = _vtt(vtt_dir / "invalid_timeframe_in_cue_text.vtt")
    cue_regions = _regions(got, "cue")
    assert len(cue_regions) == 4 and cue_regions[1].start == cue_regions[1].end  # empty cue


def test_missing_text_and_missing_timing(vtt_dir):
    cues = parse_vtt(_read(vtt_dir / "missing_caption_text.vtt"))
    assert [c.text for c in cues] == ["Caption text #1", "", "Caption text #3", "Caption text #4",
                                      "Caption text #5"]
    got = _vtt(vtt_dir / "missing_timeframe.vtt")
    assert len(_regions(got, "cue")) == 6
    assert "Caption text #2" not in got.text
    assert got.warnings == ("1 block(s) without a cue timing line skipped (line 6)",)


def test_styles_and_youtube_dl(vtt_dir):
    assert [c.text for c in parse_vtt(_read(vtt_dir / "styles.vtt"))] == ["- Hello world."]
    cues = parse_vtt(_read(vtt_dir / "youtube_dl.vtt"))
    assert [c.text for c in cues] == ["yeah", "yeah\nwhat", "this will happen is I'm telling",
                                      "this will happen is I'm telling"]
    assert (cues[0].start, cues[0].end) == (286.07, 286.47)
    assert cues[2].line == 19  # the timing line that followed cue 2's text without a blank line


@pytest.mark.parametrize("name, line", [("empty.vtt", 1), ("invalid.vtt", 1), ("invalid_timeframe.vtt", 6)])
def test_malformed_files(vtt_dir, name, line):
    path = vtt_dir / name
    with pytest.raises(CorruptDocumentError) as info:
        _vtt(path)
    assert str(path) in str(info.value) and f"line {line}:" in str(info.value)
    assert info.value.code == "Q103"
    with pytest.raises(CorruptDocumentError, match=f"line {line}:"):
        parse_vtt(_read(path), source=name)
    with pytest.raises(ExtractionError):  # extract_file refuses a 0-byte file before parsing
        extract_file(path, attributes={})


def test_header_only_is_empty(vtt_dir):
    assert parse_vtt(_read(vtt_dir / "no_captions.vtt")) == []
    with pytest.raises(EmptyDocumentError, match="no cues"):
        _vtt(vtt_dir / "no_captions.vtt")


def test_extract_file_picks_vtt(vtt_dir, tmp_path):
    path = tmp_path / "sample.vtt"
    shutil.copy(vtt_dir / "sample.vtt", path)
    doc = extract_file(path, attributes={})
    assert doc.source.extractor == "vtt.v1" and doc.source.media_type == "text/vtt"
    cues = doc.regions_of("cue")
    assert len(cues) == 16 and doc.source.details["cues"] == 16
    assert [doc.text[r.start:r.end] for r in cues] == [f"Caption text #{i}" for i in range(1, 17)]
    (turn,) = doc.regions_of("turn")  # no speakers: one turn of all cues
    assert turn.label is None and (turn.start_time, turn.end_time) == (0.5, 64.3)
    assert doc.text == " ".join(f"Caption text #{i}" for i in range(1, 17)) + "\n"


# --------------------------------------------------------------------------- W3C cue-text cases


def _tree_text_and_voice(tree: str) -> tuple[str, str | None]:
    """Concatenated text nodes and the title of the first voice span in a WPT expected tree."""
    texts = re.findall(r'^\|\s*"(.*)"$', tree, flags=re.M)
    titles = re.findall(r'^\|\s*title="(.*)"$', tree, flags=re.M)
    return "".join(texts), (titles[0] if titles else None)


def test_w3c_tags_table(shared):
    base = shared / "transcripts" / "vtt_w3c_wpt"
    cases = json.loads((base / "tags.json").read_text(encoding="utf-8"))
    cues = parse_vtt(_read(base / "tags.vtt"))
    assert len(cases) == len(cues) == 28
    for case, cue in zip(cases, cues, strict=True):
        text, voice = _tree_text_and_voice(case["expectedTree"])
        assert (cue.text, cue.voice) == (text, voice), case["text"]
        assert cue_text(case["text"].rstrip("\n")) == (text, voice), case["text"]
    # the voice cases the MANIFEST names
    assert cue_text("<v a b>test") == ("test", "a b")
    assert cue_text("<v>test") == ("test", "")
    assert cue_text("<v.a>test") == ("test", "")
    assert cue_text("a<v.d e>b</v>c") == ("abc", "e")


def test_entities_and_tags():
    assert cue_text("AT&amp;T &lt;ILO&gt;&nbsp;x&lrm;&rlm;") == ("AT&T <ILO>\xa0x\u200e\u200f", None)
    assert cue_text("<b.loud>Bold</b> <i>it</i> <u>u</u> <lang id>kerja</lang> <ruby>漢<rt>kan</rt></ruby>") == (
        "Bold it u kerja 漢kan", None)
    assert cue_text("<v.loud Budi Santoso>Halo</v> <v Ana>hai</v>") == ("Halo hai", "Budi Santoso")


# --------------------------------------------------------------------------- our fixtures


def test_zoom_prefix_speakers_merge_into_turns():
    got = _vtt(HERE / "zoom.vtt")
    assert got.text == ("Ayu Lestari: Selamat pagi semuanya. Kita mulai dengan laporan dari ILO.\n\n"
                        "John Smith: Thank you, Ayu. The SCORE training reached 120 factories.\n\n"
                        "Ayu Lestari: Terima kasih, John.\n")
    turns = _regions(got, "turn")
    assert [(r.label, r.start_time, r.end_time) for r in turns] == [
        ("Ayu Lestari", 1.2, 9.05), ("John Smith", 9.5, 15.0), ("Ayu Lestari", 15.0, 18.25)]
    assert got.text[turns[0].start:turns[0].end] == ("Selamat pagi semuanya. Kita mulai dengan "
                                                     "laporan dari ILO.")
    assert all("Ayu Lestari" not in got.text[r.start:r.end] for r in turns)
    cues = _regions(got, "cue")
    assert [(r.label, got.text[r.start:r.end]) for r in cues][:2] == [
        ("1", "Selamat pagi semuanya."), ("2", "Kita mulai dengan laporan dari ILO.")]
    assert got.details["speaker_source"] == "prefix" and got.details["turns"] == 3


def test_teams_voice_bom_crlf_note_entities():
    got = _vtt(HERE / "teams.vtt")
    assert got.details["bom"] is True and got.details["speaker_source"] == "voice"
    assert got.text == ("Budi Santoso: Kami & serikat pekerja setuju. Tapi perlu <lebih> banyak waktu.\n\n"
                        "Maria Rossi: We hear you.\n")
    turns = _regions(got, "turn")
    assert [(r.label, r.start_time, r.end_time) for r in turns] == [("Budi Santoso", 0.0, 6.0),
                                                                   ("Maria Rossi", 6.0, 9.0)]
    assert [r.label for r in _regions(got, "cue")] == ["b1c2-1", "b1c2-2", "b1c2-3"]


def test_srt_fixture():
    path = HERE / "sample.srt"
    got = SrtExtractor().extract(path, path.read_bytes(), ExtractOptions())
    assert got.details["encoding"] == "cp1252"  # "Café" written in Windows-1252
    assert got.text == ("Pewawancara: Apa kabar?\n\n"
                        "Narasumber: Baik. Kami bekerja\nsama dengan ILO sejak 2017. Café di pabrik\n"
                        "masih ditutup.\n\nPewawancara: Mengapa?\n")
    turns = _regions(got, "turn")
    assert [(r.label, r.start_time, r.end_time) for r in turns] == [
        ("Pewawancara", 1.0, 3.5), ("Narasumber", 3.5, 9.0), ("Pewawancara", 9.0, 10.0)]
    cues = _regions(got, "cue")
    assert got.text[cues[2].start:cues[2].end] == "Café di pabrik\nmasih ditutup."
    assert got.warnings == ("1 blank line(s) inside cue text kept with their cue",)
    parsed = parse_srt(path.read_bytes().decode("cp1252"))
    assert [c.identifier for c in parsed] == ["1", "2", "3", "4"]
    assert parsed[0].text == "Pewawancara: Apa kabar?"  # {\an8} and <i> stripped


@pytest.mark.parametrize("name, line", [("bad_text_first.srt", 1), ("bad_timing.srt", 2)])
def test_srt_malformed(name, line):
    path = HERE / name
    with pytest.raises(CorruptDocumentError, match=f"line {line}:") as info:
        SrtExtractor().extract(path, path.read_bytes(), ExtractOptions())
    assert str(path) in str(info.value)


def test_srt_without_cues_is_empty(tmp_path):
    path = tmp_path / "blank.srt"
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(EmptyDocumentError):
        SrtExtractor().extract(path, path.read_bytes(), ExtractOptions())


def test_extract_file_picks_srt(tmp_path):
    path = tmp_path / "s.srt"
    shutil.copy(HERE / "sample.srt", path)
    with pytest.warns(ExtractionQualityWarning, match="blank line"):
        doc = extract_file(path, attributes={"language": "id"})
    assert doc.source.extractor == "srt.v1" and doc.lang == "id"
    assert len(doc.regions_of("cue")) == 4


def test_prefix_needs_most_cues_and_plausible_labels():
    cues = [Cue(None, 0.0, 1.0, "Note: subtitles by volunteers"), Cue(None, 1.0, 2.0, "It was raining."),
            Cue(None, 2.0, 3.0, "Article 3: all agree"), Cue(None, 3.0, 4.0, "Then we left.")]
    text, regions, details = build_document(cues)
    assert details["speaker_source"] is None
    assert [r.label for r in regions if r.kind == "turn"] == [None]
    assert text.startswith("Note: subtitles by volunteers It was raining.")


def test_srt_entities_need_a_semicolon():
    (cue,) = parse_srt("1\n00:00:01,000 --> 00:00:02,000\nAT&T &lt &amp; &lt;b&gt; &#233;\n")
    assert cue.text == "AT&T &lt & <b> é"


def test_format_timestamp():
    assert format_timestamp(0.5) == "00:00:00.500"
    assert format_timestamp(3723.25, srt=True) == "01:02:03,250"


def test_deterministic(vtt_dir):
    a, b = _vtt(HERE / "zoom.vtt"), _vtt(HERE / "zoom.vtt")
    assert (a.text, a.regions, a.details) == (b.text, b.regions, b.details)


# --------------------------------------------------------------------------- hypothesis

_LINE = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,?!'\"-&<é漢")),
                min_size=1, max_size=30).filter(lambda s: s.strip() != "")
_VOICES = st.sampled_from([None, "Ayu", "Budi Santoso", "Maria Rossi"])


@st.composite
def cue_lists(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    cues = []
    t = draw(st.integers(min_value=0, max_value=10_000_000))
    for _ in range(n):
        dur = draw(st.integers(min_value=0, max_value=600_000))
        lines = tuple(x.strip() for x in draw(st.lists(_LINE, min_size=1, max_size=3)))
        cues.append((t, t + dur, lines, draw(_VOICES), draw(st.sampled_from([None, "id", "7"]))))
        t += dur + draw(st.integers(min_value=0, max_value=5000))
    return cues


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;")


@settings(max_examples=150, deadline=None)
@given(cue_lists(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_vtt_round_trip(cues, newline, bom):
    blocks = ["WEBVTT"]
    for k, (s, e, lines, voice, ident) in enumerate(cues):
        body = "\n".join(_escape(x) for x in lines)
        if voice:
            body = f"<v {voice}>{body}</v>"
        timing = f"{format_timestamp(s / 1000)} --> {format_timestamp(e / 1000)} align:start"
        blocks.append((f"{ident}{k}\n" if ident else "") + f"{timing}\n{body}")
    text = ("\ufeff" if bom else "") + "\n\n".join(blocks).replace("\n", newline) + newline
    parsed = parse_vtt(text)
    assert [(round(c.start * 1000), round(c.end * 1000)) for c in parsed] == [(s, e) for s, e, *_ in cues]
    assert [c.lines for c in parsed] == [lines for _, _, lines, _, _ in cues]
    assert [c.voice for c in parsed] == [v for *_, v, _ in cues]
    assert [c.identifier for c in parsed] == [f"{i}{k}" if i else None for k, (*_, i) in enumerate(cues)]
    _check_document(parsed)


@settings(max_examples=100, deadline=None)
@given(cue_lists())
def test_srt_round_trip(cues):
    blocks = []
    for k, (s, e, lines, _voice, _ident) in enumerate(cues, start=1):
        body = "\n".join(_escape(x) for x in lines)
        blocks.append(f"{k}\n{format_timestamp(s / 1000, srt=True)} --> {format_timestamp(e / 1000, srt=True)}\n"
                      f"<i>{body}</i>")
    parsed = parse_srt("\n\n".join(blocks) + "\n")
    assert [(round(c.start * 1000), round(c.end * 1000)) for c in parsed] == [(s, e) for s, e, *_ in cues]
    assert [c.lines for c in parsed] == [lines for _, _, lines, _, _ in cues]
    assert [c.identifier for c in parsed] == [str(k) for k in range(1, len(cues) + 1)]


def _check_document(cues):
    text, regions, details = build_document(cues)
    cue_regions = [r for r in regions if r.kind == "cue"]
    turns = [r for r in regions if r.kind == "turn"]
    assert len(cue_regions) == len(cues) == details["cues"]
    prev = 0
    for cue, r in zip(cues, cue_regions, strict=True):
        assert prev <= r.start <= r.end <= len(text)
        assert (r.start_time, r.end_time, r.label) == (cue.start, cue.end, cue.identifier)
        got = text[r.start:r.end]
        assert got == cue.text or cue.text.endswith(got)  # a "Name: " prefix is shown once per turn
        prev = r.end
    for t in turns:
        inside = [r for r in cue_regions if t.start <= r.start and r.end <= t.end]
        assert inside and inside[0].start == t.start and inside[-1].end == t.end
        assert (t.start_time, t.end_time) == (inside[0].start_time, inside[-1].end_time)
        if t.label:
            assert text[:t.start].endswith(f"{t.label}: ")
    voices = [c.voice or None for c in cues]
    changes = sum(1 for a, b in zip(voices, voices[1:]) if a != b)
    assert len(turns) == changes + 1  # consecutive cues of one voice form one turn
