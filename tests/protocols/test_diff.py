"""The diff a trainer reads: changed lines, and within them the changed words."""

from protocols.diff import line_diff


def test_identical_texts_have_no_rows():
    assert line_diff("a\nb", "a\nb") == []


def test_added_and_removed_lines_with_context():
    rows = line_diff("one\ntwo\nthree", "one\nthree\nfour")
    assert [(r.kind, r.old, r.new, r.text) for r in rows] == [
        ("same", 1, 1, "one"),
        ("del", 2, None, "two"),
        ("same", 3, 2, "three"),
        ("ins", None, 3, "four"),
    ]


def test_a_changed_word_in_a_long_paragraph_is_marked_alone():
    old = "Sit at the same level and ask before touching."
    new = "Kneel at the same level and ask before touching."
    removed, added = line_diff(old, new)
    assert [text for changed, text in removed.pieces if changed] == ["Sit"]
    assert [text for changed, text in added.pieces if changed] == ["Kneel"]
    assert "".join(text for _changed, text in added.pieces) == new


def test_distant_changes_are_separated_by_a_gap():
    old = "\n".join(str(n) for n in range(30))
    new = old.replace("2\n", "two\n", 1).replace("27", "twenty-seven")
    kinds = [r.kind for r in line_diff(old, new)]
    assert "gap" in kinds
    assert kinds.count("del") == 2 and kinds.count("ins") == 2
