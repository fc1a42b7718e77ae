"""The Timeline Project's .timeline XML: events, categories as coloured actors, eras,
containers, fuzzy events, the refused old text format, and fuzzing."""

from __future__ import annotations

import ast
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fuzzing import FUZZ, mutate, only_read_errors
from hypothesis import given
from hypothesis import strategies as st

import explorer.io
from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, detect, get, read_any
from explorer.io.result import ImportResult
from explorer.model.dates import DatedValue, Precision
from explorer.model.document import NO_END, Document, end_value, start_value

TIMELINE = """<?xml version="1.0" encoding="utf-8"?>
<timeline>
  <version>2.3.0 development</version>
  <timetype>gregoriantime</timetype>
  <eras>
    <era>
      <name>Later</name>
      <start>2013-01-01 00:00:00</start>
      <end>2014-01-01 00:00:00</end>
      <color>255,0,0</color>
      <ends_today>False</ends_today>
    </era>
    <era>
      <name>Early</name>
      <start>2009-01-01 00:00:00</start>
      <end>2010-06-30 12:00:00</end>
      <color>0,128,255</color>
    </era>
  </eras>
  <categories>
    <category>
      <name>Planned Release</name>
      <color>128,255,128</color>
      <progress_color>153,255,153</progress_color>
      <done_color>153,255,153</done_color>
      <font_color>0,0,0</font_color>
    </category>
    <category>
      <name>Correction Release</name>
      <color>255,128,255</color>
      <font_color>0,0,0</font_color>
      <parent>Planned Release</parent>
    </category>
  </categories>
  <events>
    <event>
      <start>2013-03-30 11:16:00</start>
      <end>2013-03-30 11:16:00</end>
      <text>Timeline 0.20.0</text>
      <progress>0</progress>
      <fuzzy>False</fuzzy>
      <locked>False</locked>
      <ends_today>False</ends_today>
      <category>Planned Release</category>
      <description>Timeline 0.20.0, released on 30 March 2013 &amp; more</description>
      <default_color>200,200,200</default_color>
    </event>
    <event>
      <start>2009-04-11 12:28:00</start>
      <end>2009-05-01 08:00:30</end>
      <text>Fuzzy span</text>
      <progress>40</progress>
      <fuzzy>True</fuzzy>
      <locked>True</locked>
      <ends_today>False</ends_today>
      <category>Correction Release</category>
      <hyperlink>https://example.org/a</hyperlink>
      <default_color>10,20,30</default_color>
    </event>
    <event>
      <start>2010-01-01 00:00:00</start>
      <end>2010-12-31 00:00:00</end>
      <text>[7]A container</text>
      <fuzzy>False</fuzzy>
      <locked>False</locked>
      <ends_today>False</ends_today>
    </event>
    <event>
      <start>2010-02-01 00:00:00</start>
      <end>2010-03-01 00:00:00</end>
      <text>(7)A subevent</text>
      <category>Planned Release</category>
    </event>
    <event>
      <start>2010-04-01 09:00:00</start>
      <end>2010-04-01 09:00:00</end>
      <text> (not a subevent)</text>
      <milestone>True</milestone>
    </event>
    <event>
      <start>2011-13-01 00:00:00</start>
      <end>2011-13-01 00:00:00</end>
      <text>Bad month</text>
    </event>
    <event>
      <start>2012-01-02 00:00:00</start>
      <end>2012-01-01 00:00:00</end>
      <text>Ends before it starts</text>
    </event>
    <event>
      <end>2012-01-01 00:00:00</end>
      <text>No start</text>
    </event>
    <event>
      <start>2020-10-18 05:36:57</start>
      <end>2020-10-18 05:36:57</end>
      <text>Last</text>
      <ends_today>True</ends_today>
      <category>Future Release</category>
    </event>
  </events>
  <view>
    <displayed_period>
      <start>2012-06-19 13:20:34</start>
      <end>2012-07-19 13:20:34</end>
    </displayed_period>
    <hidden_categories>
    </hidden_categories>
  </view>
</timeline>
"""

OLD_TEXT = """# Written by Timeline 0.7.0dev86eefc0338d8+ on 2009-11-15 9:46:38
PREFERRED-PERIOD:2009-6-1 3:14:47;2009-12-8 9:46:38
CATEGORY:Short text;145,219,255;True
EVENT:2009-10-5 14:31:35;2009-10-5 14:31:35;Event with short text;Short text;description:Hello
EVENT:2009-9-1 0:0:0;2009-9-4 0:0:0;Data and Gray backgound;;description:Gray Background
# END
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> ImportResult:
    return get("timelineproject").read(path, ReadOptions())


def row_of(doc: Document, title: str) -> int:
    return int(np.flatnonzero(doc.events["title"].to_numpy() == title)[0])


def attrs(doc: Document, title: str) -> dict[str, Any]:
    value = doc.events["attributes"].iat[row_of(doc, title)]
    return dict(value.get("timelineproject", {})) if isinstance(value, dict) else {}


def actors_of(doc: Document, title: str) -> list[str]:
    ident = doc.events["id"].iat[row_of(doc, title)]
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    return [names[a] for a in doc.links.loc[doc.links["event_id"] == ident, "actor_id"]]


@pytest.fixture
def result(tmp_path: Path) -> ImportResult:
    return read(write(tmp_path / "versions.timeline", TIMELINE))


def test_events_and_eras_are_read(result: ImportResult) -> None:
    doc = result.document
    assert result.format == "timelineproject"
    assert doc.title == "versions"
    assert len(doc.events) == 6  # the 2 eras are periods
    assert list(doc.events["title"]) == [
        "Timeline 0.20.0",
        "Fuzzy span",
        "A container",
        "A subevent",
        "(not a subevent)",
        "Last",
    ]
    periods = doc.periods
    assert list(periods["label"]) == ["Later", "Early"]
    assert list(periods["colour"]) == ["#ff0000", "#0080ff"]
    assert DatedValue(int(periods["start"].iat[1]), Precision.SECOND).iso() == "2009-01-01T00:00:00"
    assert DatedValue(int(periods["end"].iat[1]), Precision.SECOND).iso() == "2010-06-30T12:00:00"
    assert set(doc.events["start_precision"]) == {Precision.SECOND}
    assert start_value(doc.events, 0).iso() == "2013-03-30T11:16:00"
    assert doc.events["summary"].iat[0] == "Timeline 0.20.0, released on 30 March 2013 & more"


def test_start_equal_to_end_is_a_point(result: ImportResult) -> None:
    doc = result.document
    assert doc.events["end_precision"].iat[row_of(doc, "Timeline 0.20.0")] == NO_END
    assert doc.events["end_precision"].iat[row_of(doc, "(not a subevent)")] == NO_END
    span = end_value(doc.events, row_of(doc, "Fuzzy span"))
    assert span is not None
    assert span.iso() == "2009-05-01T08:00:30"


def test_categories_are_coloured_actors(result: ImportResult) -> None:
    doc = result.document
    actors = {r.name: r for r in doc.actors.itertuples()}
    assert set(actors) == {"Planned Release", "Correction Release", "Future Release"}
    assert actors["Planned Release"].colour == "#80ff80"
    assert actors["Correction Release"].colour == "#ff80ff"
    assert actors["Correction Release"].description == "sub-category of Planned Release"
    assert actors["Future Release"].colour == ""  # used but never defined
    assert set(doc.actors["kind"]) == {"category"}
    assert actors_of(doc, "Timeline 0.20.0") == ["Planned Release"]
    assert actors_of(doc, "A container") == []
    assert any("not defined: Future Release" in n for n in result.notes)


def test_flags_fuzzy_containers_and_eras_in_attributes(result: ImportResult) -> None:
    doc = result.document
    assert attrs(doc, "Timeline 0.20.0") == {}
    assert attrs(doc, "Fuzzy span") == {
        "fuzzy": True,
        "locked": True,
        "progress": 40,
        "hyperlink": "https://example.org/a",
        "default_colour": "#0a141e",
    }
    assert attrs(doc, "A container") == {"container": True, "container_id": 7}
    assert attrs(doc, "A subevent") == {"container_id": 7, "container_name": "A container"}
    assert attrs(doc, "(not a subevent)") == {"milestone": True}
    assert attrs(doc, "Last") == {"ends_today": True}
    # Fuzzy changes neither precision nor claim status; a note says so.
    row = row_of(doc, "Fuzzy span")
    assert doc.events["start_precision"].iat[row] == Precision.SECOND
    assert doc.events["status"].iat[row] == "unassessed"
    assert any("fuzzy" in n for n in result.notes)


def test_bad_events_are_set_aside(result: ImportResult) -> None:
    skipped = {s.where: (s.field, s.reason) for s in result.skipped}
    assert skipped == {
        "events/event[6]": ("start", "month 13 is not 1-12"),
        "events/event[7]": ("end", "ends before it starts"),
        "events/event[8]": ("start", "is missing"),
    }


def test_old_text_format_is_refused_clearly(tmp_path: Path) -> None:
    path = write(tmp_path / "DataIndicatorTest.timeline", OLD_TEXT)
    assert detect(path).name == "timelineproject"
    with pytest.raises(ReadError) as caught:
        read_any(path)
    message = str(caught.value)
    assert message.startswith("DataIndicatorTest.timeline: line 1: ")
    assert "old Timeline 0.x text format" in message
    assert "The Timeline Project 1.x or later" in message


def test_other_calendars_are_refused(tmp_path: Path) -> None:
    text = TIMELINE.replace("gregoriantime", "numtime")
    with pytest.raises(ReadError, match="plain numbers"):
        read(write(tmp_path / "n.timeline", text))


def test_broken_and_hostile_xml(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read(write(tmp_path / "b.timeline", "<timeline>\n<events><event></events>"))
    assert caught.value.where is not None
    assert caught.value.where.startswith("line 2")
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<timeline>&b;</timeline>'
    )
    with pytest.raises(ReadError, match="refused"):
        read(write(tmp_path / "bomb.timeline", bomb))
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<timeline>&x;</timeline>"
    )
    with pytest.raises(ReadError, match="refused"):
        read(write(tmp_path / "ext.timeline", external))
    with pytest.raises(ReadError, match="not a Timeline file"):
        read(write(tmp_path / "o.timeline", "<other/>"))
    with pytest.raises(ReadError, match="has no events"):
        read(write(tmp_path / "e.timeline", "<timeline><version>2.0.0</version></timeline>"))


def test_uses_defusedxml_only() -> None:
    """The standard library's parser is never called: only its types are imported."""
    # Read, not imported: importing a reader module before the registry loads would
    # register it alone (formats._load_readers loads only into an empty registry).
    source = Path(explorer.io.__file__).parent / "read_timelineproject.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    stdlib: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            stdlib |= {a.name for a in node.names if a.name.startswith(("xml", "lxml"))}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("xml", "lxml")):
            stdlib |= {f"{node.module}.{a.name}" for a in node.names}
    assert stdlib == {"xml.etree.ElementTree.Element", "xml.etree.ElementTree.ParseError"}
    assert "SafeET.fromstring(" in ast.unparse(tree)


def test_minimal_file_without_timetype(tmp_path: Path) -> None:
    text = """<?xml version="1.0" encoding="utf-8"?>
<timeline>
  <version>1.0.0</version>
  <categories>
    <category><name>Test</name><color>255,0,0</color><font_color>0,0,0</font_color></category>
  </categories>
  <events>
    <event>
      <start>2012-07-04 13:20:00</start><end>2012-07-04 13:20:00</end><text>Test</text>
      <fuzzy>False</fuzzy><locked>False</locked><ends_today>False</ends_today>
      <category>Test</category>
    </event>
  </events>
  <view><displayed_period><start>2012-06-19 13:20:34</start><end>2012-07-19 13:20:34</end>
  </displayed_period><hidden_categories></hidden_categories></view>
</timeline>
"""
    path = write(tmp_path / "example.timeline", text)
    assert detect(path).name == "timelineproject"
    doc = read_any(path).document
    assert len(doc.events) == 1
    assert list(doc.actors["colour"]) == ["#ff0000"]


# --- fuzzing ------------------------------------------------------------------------------


XML_MUTATIONS: dict[str, Any] = {
    "tokens": [b"<", b">", b"&amp;", b"True", b"(3)", b"[3]", b"-99999", b"255,0", b"\xff"],
    "max_delete": 24,
    "max_copy": 80,
}


def only_timeline_errors(data: bytes) -> None:
    only_read_errors("timelineproject", data, "f.timeline")


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_binary(data: bytes) -> None:
    only_timeline_errors(data)


@FUZZ
@given(st.randoms(use_true_random=False), st.integers(1, 8))
def test_fuzz_mutated_fixture(rng: random.Random, count: int) -> None:
    only_timeline_errors(mutate(TIMELINE.encode(), rng, count, **XML_MUTATIONS))
    only_timeline_errors(mutate(OLD_TEXT.encode(), rng, count, **XML_MUTATIONS))


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["start", "end", "text", "category", "progress", "fuzzy", "default_color",
                 "milestone", "color", "name", "timetype"]
            ),
            st.text(alphabet="0123456789-:, ()[]TrueFals", max_size=24),
        ),
        max_size=10,
    )
)  # fmt: skip
def test_fuzz_field_values(changes: list[tuple[str, str]]) -> None:
    text = TIMELINE
    for tag, value in changes:
        text = text.replace(f"<{tag}>", f"<{tag}>{value}", 1)
    only_timeline_errors(text.encode())
