"""Tree validation names the node at fault; walking follows the path of answers."""

import copy
import time

from protocols import trees
from tests.protocols.conftest import SIMPLE_TREE


def problems(doc, known=None):
    return [(p.node, p.message) for p in trees.validate(doc, known)]


def tree(**changes):
    doc = copy.deepcopy(SIMPLE_TREE)
    for node in doc["nodes"]:
        node.update(changes.get(node["id"], {}))
    return doc


def test_the_example_is_valid():
    assert trees.validate(SIMPLE_TREE) == []


def test_not_a_tree_at_all():
    assert problems("hello")[0][0] is None
    assert problems({"start": "x"})[0][1] == "A tree needs a list of nodes."


def test_missing_start():
    doc = tree()
    del doc["start"]
    assert problems(doc) == [(None, "The tree needs exactly one start node.")]


def test_start_that_does_not_exist():
    doc = tree()
    doc["start"] = "nowhere"
    assert problems(doc) == [(None, "The start node “nowhere” does not exist.")]


def test_answer_pointing_nowhere_names_the_node():
    doc = tree(
        calm={"answers": [{"label": "Yes", "next": "ghost"}, {"label": "No", "next": "listen"}]}
    )
    assert problems(doc) == [("calm", "answer 1 leads to “ghost”, which does not exist.")]


def test_question_needs_two_answers():
    doc = tree(calm={"answers": [{"label": "Yes", "next": "listen"}]})
    assert ("calm", "a question needs at least two answers.") in problems(doc)


def test_unreachable_node():
    doc = tree()
    doc["nodes"].append({"id": "orphan", "type": "outcome", "title": "Alone", "guidance": ""})
    assert problems(doc) == [("orphan", "no path from the start reaches this node.")]


def test_cycle_is_found_and_named():
    doc = tree(
        calm={"answers": [{"label": "Again", "next": "danger"}, {"label": "No", "next": "listen"}]}
    )
    found = problems(doc)
    assert ("calm", "an answer leads back to “danger”, making a loop.") in found


def test_self_loop():
    doc = tree(
        calm={"answers": [{"label": "Again", "next": "calm"}, {"label": "No", "next": "listen"}]}
    )
    assert ("calm", "answer 1 leads back to itself.") in problems(doc)


def test_every_node_must_reach_an_outcome():
    doc = {
        "start": "a",
        "nodes": [
            {
                "id": "a",
                "type": "question",
                "text": "A?",
                "answers": [{"label": "1", "next": "b"}, {"label": "2", "next": "c"}],
            },
            {
                "id": "b",
                "type": "question",
                "text": "B?",
                "answers": [{"label": "1", "next": "c"}, {"label": "2", "next": "c"}],
            },
            {
                "id": "c",
                "type": "question",
                "text": "C?",
                "answers": [{"label": "1", "next": "b"}, {"label": "2", "next": "b"}],
            },
        ],
    }
    found = problems(doc)
    assert ("a", "no answer from here ever reaches an outcome.") in found
    assert any("loop" in message for _node, message in found)


def test_duplicate_ids_and_bad_types():
    doc = tree()
    doc["nodes"].append({"id": "calm", "type": "outcome", "title": "x"})
    doc["nodes"].append({"id": "odd", "type": "poem"})
    found = problems(doc)
    assert ("calm", "this id is used by more than one node.") in found
    assert ("odd", "type must be “question” or “outcome”.") in found


def test_links_must_name_known_pages():
    doc = tree(listen={"links": ["breathing", "missing-page"]})
    assert problems(doc, known={"breathing"}) == [
        ("listen", "links to “missing-page”, but there is no such protocol page.")
    ]


def test_empty_texts():
    doc = tree(danger={"text": " "}, listen={"title": ""})
    found = problems(doc)
    assert ("danger", "the question has no text.") in found
    assert ("listen", "the outcome has no title.") in found


def test_too_many_nodes():
    doc = tree()
    doc["nodes"] = doc["nodes"] * 20
    assert problems(doc)[0][0] is None


def test_walk_follows_answers():
    step = trees.walk(SIMPLE_TREE, [1, 0])
    assert step.node["id"] == "listen"
    assert [(q["id"], a["label"], path) for q, a, path in step.taken] == [
        ("danger", "No", "1"),
        ("calm", "Yes", "1.0"),
    ]


def test_walk_rejects_paths_that_do_not_fit():
    assert trees.walk(SIMPLE_TREE, [5]) is None
    assert trees.walk(SIMPLE_TREE, [0, 0]) is None  # past an outcome


def test_parse_path():
    assert trees.parse_path("") == []
    assert trees.parse_path("0.1.2") == [0, 1, 2]
    assert trees.parse_path("0.x") is None
    assert trees.parse_path("-1") is None


def test_yaml_round_trip_and_bad_yaml():
    assert trees.from_yaml(trees.to_yaml(SIMPLE_TREE)) == SIMPLE_TREE
    try:
        trees.from_yaml("start: [unclosed")
    except trees.TreeError as error:
        assert "could not be read" in str(error)
    else:
        raise AssertionError("bad YAML was accepted")


def test_yaml_is_loaded_safely():
    try:
        trees.from_yaml("!!python/object/apply:os.system ['true']")
    except trees.TreeError:
        pass
    else:
        raise AssertionError("an unsafe YAML tag was loaded")


def test_a_tree_too_long_in_total_is_refused():
    doc = tree(**{n: {"guidance": "x" * 19_000} for n in ("emergency", "listen")})
    for number in range(5):
        doc["nodes"][0]["answers"].append({"label": f"More {number}", "next": f"more-{number}"})
        doc["nodes"].append(
            {"id": f"more-{number}", "type": "outcome", "title": "More", "guidance": "y" * 19_000}
        )
    assert [message for _node, message in problems(doc)] == [
        "The tree is too long: at most 100000 characters in all. Move long guidance to a page and link it."
    ]


def test_guidance_too_long_once_laid_out_is_refused():
    # A short text whose links repeat one long address: 18 MB of HTML from 20 kB.
    exploding = "[x]: https://example.org/" + "a" * 5_000 + "\n\n" + "[x] " * 3_700
    doc = tree(emergency={"guidance": exploding})
    assert len(exploding) < trees.MAX_GUIDANCE
    started = time.process_time()
    found = problems(doc)
    assert time.process_time() - started < 1
    assert found == [
        (
            "emergency",
            "the guidance would be too long once laid out (it repeats long link addresses): "
            "write each address out where it is used, or link a page.",
        )
    ]


def test_outline_numbers_each_node_once():
    items = trees.outline(SIMPLE_TREE)
    danger = items[0]
    assert (danger["node"]["id"], danger["step"]) == ("danger", 1)
    yes, no = danger["answers"]
    assert (yes["items"][0]["node"]["id"], yes["step"]) == ("emergency", 2)
    calm = no["items"][0]
    assert (calm["node"]["id"], calm["step"]) == ("calm", 3)
    listen, back = calm["answers"]
    assert (listen["items"][0]["node"]["id"], listen["step"]) == ("listen", 4)
    assert back["items"] == [] and back["step"] == 2
    assert back["target"]["id"] == "emergency"


def test_the_printed_outline_stops_laying_out_guidance_at_the_limit():
    doc = {
        "start": "q",
        "nodes": [
            {
                "id": "q",
                "type": "question",
                "text": "Which?",
                "answers": [{"label": str(n), "next": f"o{n}"} for n in range(3)],
            },
            *(
                {"id": f"o{n}", "type": "outcome", "title": "O", "guidance": "g", "links": []}
                for n in range(3)
            ),
        ],
    }
    laid_out = []

    def render(text):
        laid_out.append(text)
        return "x" * (trees.MAX_LAID_OUT // 2 + 1)

    items = trees.outline(doc, render)
    outcomes = [branch["items"][0] for branch in items[0]["answers"]]
    assert [o["left_out"] for o in outcomes] == [False, False, True]
    assert outcomes[2]["guidance"] == ""
    assert len(laid_out) == 2  # the third is never laid out at all
