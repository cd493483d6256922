"""The film facts file: complete, every entry sourced, lookups by actor, character or alias."""

import pytest

from knowledge.facts import FactsError, load_facts


@pytest.fixture(scope="module")
def facts(settings):
    return load_facts(settings.facts_file)


def test_core_facts_are_present_and_sourced(facts):
    assert facts.film["title"].value == "Her"
    assert facts.film["year"].value == 2013
    assert facts.film["director"].value == "Spike Jonze"
    assert facts.film["writer"].value == "Spike Jonze"
    assert isinstance(facts.film["runtime_minutes"].value, int)
    assert all(fact.source.url.startswith("https://") for fact in facts.film.values())


@pytest.mark.parametrize(
    ("name", "actor"),
    [("Samantha", "Scarlett Johansson"), ("the OS", "Scarlett Johansson"), ("theodore", "Joaquin Phoenix"),
     ("Rooney Mara", "Rooney Mara"), ("his ex-wife", "Rooney Mara"), ("Amy", "Amy Adams")],
)
def test_roles_by_character_actor_or_alias(facts, name, actor):
    assert [role.actor for role in facts.roles_for(name)] == [actor]


def test_unknown_names_find_nothing(facts):
    assert facts.roles_for("Harrison Ford") == []


def test_awards_include_the_screenplay_oscar(facts):
    won = [a for a in facts.awards if a["result"] == "won"]
    assert any("Academy Award for Best Original Screenplay" in a["award"] for a in won)


def test_an_unknown_source_is_an_error(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(
        "sources: {a: {title: A, url: 'https://a.example'}}\n"
        "film: {title: {value: Her, source: b}}\ncast: []\n",
        encoding="utf-8",
    )
    with pytest.raises(FactsError, match="title names source 'b'"):
        load_facts(path)
