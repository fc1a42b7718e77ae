"""Every Timesketch and Plaso file of the shared corpus, opened by auto-detection.

The expected table is data (below); the test also writes it as markdown rows to
/tmp/formats_forensic.md for docs/formats.md. Skipped when the corpus is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from explorer.io.errors import ReadError
from explorer.io.formats import detect, read_any
from explorer.model.dates import Precision, format_iso

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MARKDOWN = Path("/tmp/formats_forensic.md")


@dataclass(frozen=True)
class Expected:
    file: str  # relative to the corpus
    format: str
    events: int = 0
    set_aside: int = 0
    first: str = ""
    last: str = ""
    lanes: int = 0
    notes: str = ""
    error: str = ""  # a ReadError's reason, for the files broken on purpose
    note: str = ""  # a fragment of one of the reader's notes


E = Expected
TABLE = (
    E("timesketch/csv_datetime_last_column.csv", "timesketch-csv", 4, 0,
      "2018-07-27T10:58:07", "2018-07-27T12:24:50", 0,
      "datetime is the last column; timestamps are 4 h later: datetime used, noted",
      note="not their datetime"),
    E("timesketch/csv_timestamp_as_datetime.csv", "timesketch-csv", 4, 0,
      "2024-08-09T14:33:09", "2025-07-01T05:58:27", 2,
      "datetime holds epoch µs, read as epoch; lanes are users (uid)"),
    E("timesketch/csv_timestamp_no_datetime.csv", "timesketch-csv", 3, 0,
      "2022-07-24T19:01:01", "2022-07-24T19:01:01", 0,
      "no datetime column: timestamp in s, ms and µs, one instant"),
    E("timesketch/end_to_end_tests/evtx_direct.csv", "timesketch-csv", 13, 0,
      "2012-03-14T04:17:38", "2012-03-14T04:17:43", 1,
      "lanes from computer_name; label \"['__ts_star']\" becomes the theme \"starred\""),
    E("timesketch/end_to_end_tests/evtx_direct_without_label.csv", "timesketch-csv", 13, 0,
      "2012-03-14T04:17:38", "2012-03-14T04:17:43", 1,
      "label_renamed is kept as an attribute, not a theme"),
    E("timesketch/end_to_end_tests/evtx_fails.csv", "csv", 13, 0,
      "2012-03-14T04:17:38", "2012-03-14T04:17:43", 1,
      "no message column (Timesketch refuses it): falls back to the generic CSV reader, "
      "date from datetime, lanes from computer_name", note='date "datetime"'),
    E("timesketch/end_to_end_tests/evtx_part.csv", "timesketch-csv", 13, 0,
      "2012-03-14T04:17:38", "2012-03-14T04:17:43", 1,
      "multi-line quoted XML cells (316 lines, 13 rows); __ts_timeline_id dropped"),
    E("timesketch/end_to_end_tests/sigma_events.csv", "timesketch-csv", 4, 0,
      "2015-07-24T19:01:01", "2015-07-24T19:01:03", 0,
      "timestamps 123456789 disagree with datetime: datetime used, noted"),
    E("timesketch/end_to_end_tests/sigma_events.jsonl", "timesketch-jsonl", 4, 0,
      "2015-07-24T19:01:01", "2015-07-24T19:01:03", 0,
      "heterogeneous keys; no newline after the last line"),
    E("timesketch/incorrect.csv", "csv", 1, 0,
      "2020-09-18T21:58:07", "2020-09-18T21:58:07", 0,
      "Wireshark export without datetime/timestamp (Timesketch refuses it): the generic "
      "CSV reader takes DT as the date", note='date "DT"'),
    E("timesketch/invalid_datetime.csv", "timesketch-csv", 3, 1,
      "2017-07-24T19:01:01", "2017-10-24T19:01:01", 0,
      "naive datetimes read as UTC (noted); \"1234 19:01:01\" set aside (row 5)",
      note="read as UTC"),
    E("timesketch/large_field_event.jsonl", "timesketch-jsonl", 3, 0,
      "2026-02-18T13:36:00", "2026-02-18T13:38:00", 0,
      "a 38 KB FeatureVector attribute"),
    E("timesketch/mapping_limit_exceed.csv", "timesketch-csv", 1, 0,
      "2023-10-27T10:00:00", "2023-10-27T10:00:00", 0,
      "503 columns, CRLF; the 500 extra columns are attributes"),
    E("timesketch/sigma_events.csv", "timesketch-csv", 4, 0,
      "2015-07-24T19:01:01", "2015-07-24T19:01:03", 0,
      "7 sparse extra columns: empty cells dropped from attributes"),
    E("timesketch/sigma_events.jsonl", "timesketch-jsonl", 5, 0,
      "2015-07-24T19:01:01", "2022-01-22T23:07:43", 1,
      "16 keys across lines; timestamp 123456789 ignored for datetime; one host lane"),
    E("timesketch/validate_date_events_missing_timestamp.csv", "timesketch-csv", 1, 0,
      "2022-07-24T19:01:01", "2022-07-24T19:01:01", 0,
      "no timestamp column; quoted and unquoted fields"),
    E("timesketch/validate_no_datetime_timestamps.csv", "timesketch-csv", 5, 0,
      "2014-07-25T02:01:01", "2016-07-25T02:01:01", 0,
      "empty and \" \" datetimes fall back to timestamp (2 rows, noted)",
      note="dated by their timestamp"),
    E("timesketch/validate_time_out_of_range.csv", "timesketch-csv", 2, 0,
      "1601-01-01T00:00:00", "2227-12-31T23:01:01", 0,
      "years 1601 and 2227 kept (Timesketch drops 1601)"),
    E("timesketch/validate_time_precision.csv", "timesketch-csv", 2, 0,
      "2015-07-24T19:01:01", "2024-07-24T10:57:02", 0,
      "µs fractions kept in the datetime attribute; times to the second"),
    E("timesketch/validate_time_precision_datetime.csv", "timesketch-csv", 1, 0,
      "2024-07-24T10:57:02", "2024-07-24T10:57:02", 0, "one row, Z suffix"),
    E("timesketch/validate_time_precision_jsonl.jsonl", "timesketch-jsonl", 2, 0,
      "2015-07-24T19:01:01", "2024-07-24T10:57:02", 0, "JSONL version of the above"),
    E("timesketch/validate_timestamp_conversion.csv", "timesketch-csv", 3, 0,
      "2012-03-14T04:17:38", "2022-07-24T19:01:01", 0,
      "+00:00, +0000 and a space separator"),
    E("plaso/dynamic.log", "plaso-dynamic", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 0,
      "nanosecond fractions; \"-\" is empty; tags \"exit1 exit2\"; no host column",
      note="--additional_fields"),
    E("plaso/dynamic_time_zone.log", "plaso-dynamic", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 0,
      "+01:00/+02:00 offsets (DST change): same instants as dynamic.log"),
    E("plaso/dynamic_without_dynamic_time.log", "plaso-dynamic", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 0, "fixed 6-digit fractions"),
    E("plaso/extract_and_output.log", "plaso-dynamic", 445, 0,
      "2012-01-22T07:52:33", "2013-12-31T17:54:32", 0, "many parsers; Windows paths"),
    E("plaso/extract_and_output_with_custom_fields.log", "plaso-dynamic", 445, 0,
      "2012-01-22T07:52:33", "2013-12-31T17:54:32", 0, "custom column kept as an attribute"),
    E("plaso/extract_and_output_with_time_zone.log", "plaso-dynamic", 8, 0,
      "2020-01-22T06:54:32", "2020-11-18T00:15:20", 0, "7 columns, no display_name"),
    E("plaso/extract_and_output_with_winevt_rc.log", "plaso-dynamic", 388, 0,
      "2015-08-08T02:06:17", "2015-08-09T11:13:15", 0, "7-digit fractions; long messages"),
    E("plaso/json.log", "plaso-json", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 3,
      "one object {\"event_0\": ...}; ids are the event keys; hostname lanes"),
    E("plaso/json_line.log", "plaso-jsonl", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 3,
      "timestamp (µs) used; date_time objects as fallback; tag labels become themes"),
    E("plaso/l2tcsv.log", "l2tcsv", 19, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 3,
      "MM/DD/YYYY + time + UTC; title desc, summary type; host lanes"),
    E("plaso/l2tcsv_time_zone.log", "l2tcsv", 19, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 3,
      "CET (zoneinfo) and CEST (+02:00) converted to UTC: same instants as l2tcsv.log",
      note="converted to UTC from zone CET, CEST"),
    E("plaso/l2ttln.log", "l2ttln", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 3, "TLN plus TZ and Notes"),
    E("plaso/tln.log", "tln", 20, 0,
      "2012-01-22T07:52:33", "2026-07-02T17:48:00", 3,
      "epoch seconds; Plaso's \"datetime; desc; message\" split into summary and title"),
)  # fmt: skip

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def _markdown() -> str:
    lines = [
        "| format | file | events read | set aside | first | last | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in TABLE:
        if e.error:
            lines.append(f"| {e.format} | {e.file} | error | - | - | - | {e.notes}: {e.error} |")
        else:
            lines.append(
                f"| {e.format} | {e.file} | {e.events} | {e.set_aside} | {e.first} | "
                f"{e.last} | {e.notes} |"
            )
    return "\n".join(lines) + "\n"


def test_every_forensic_corpus_file_is_in_the_table() -> None:
    found = {
        p.relative_to(CORPUS).as_posix() for p in (CORPUS / "timesketch").rglob("*") if p.is_file()
    }
    found |= {p.relative_to(CORPUS).as_posix() for p in (CORPUS / "plaso").glob("*") if p.is_file()}
    assert found == {e.file for e in TABLE}
    MARKDOWN.write_text(_markdown(), encoding="utf-8")


@pytest.mark.parametrize("expected", TABLE, ids=[e.file for e in TABLE])
def test_corpus_file(expected: Expected) -> None:
    path = CORPUS / expected.file
    assert detect(path).name == expected.format
    if expected.error:
        with pytest.raises(ReadError) as caught:
            read_any(path)
        assert caught.value.path.name == path.name
        assert caught.value.reason == expected.error
        assert path.name in str(caught.value)
        return
    result = read_any(path)
    ev = result.document.events
    assert result.format == expected.format
    assert len(ev) == expected.events
    assert result.skipped_total == expected.set_aside
    order = np.argsort(ev["start"].to_numpy(), kind="stable")
    first, last = int(order[0]), int(order[-1])
    assert (
        format_iso(int(ev["start"].iloc[first]), Precision(int(ev["start_precision"].iloc[first])))
        == expected.first
    )
    assert (
        format_iso(int(ev["start"].iloc[last]), Precision(int(ev["start_precision"].iloc[last])))
        == expected.last
    )
    assert len(result.document.actors) == expected.lanes
    assert ev["id"].is_unique
    if expected.note:
        assert any(expected.note in note for note in result.notes), result.notes
    assert (ev["title"] != "").all()
