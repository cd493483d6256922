"""Synthetic reviews of *Her* whose sentences never repeat, for the benchmarks at scale.

A sentence is put together from parts the way a reviewer's sentence is: an optional opening
("Frankly,", "On a second viewing,"), a subject on one of a review's usual topics (an actor's
performance, the score, the city, the technology, the ending, the script...), a judgement or an
account of what it does (praise, criticism, mixed, or plain description), and an optional
closing clause; every slot draws from its own word list. That gives billions of distinct
sentences on a few dozen topics, with the same words coming back in new combinations, as in a
site's thousands of real reviews of one film; each sentence is kept once (no two are equal).
A review has a title, a By-line, six to thirteen paragraphs of two to six
sentences and, one time in four, a few reader comments. Everything is seeded: the same
arguments give the same files.
"""

from __future__ import annotations

import random
import re
from pathlib import Path


def words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


ACTORS = words("Joaquin Phoenix, Scarlett Johansson, Amy Adams, Rooney Mara, Olivia Wilde, Chris Pratt, "
               "Portia Doubleday, Matt Letscher, Kristen Wiig, Spike Jonze, Sam Jaeger, Luka Jones, "
               "Laura Kai Chen")
CHARACTERS = words("Theodore, Samantha, Amy, Catherine, Paul, Charles, Isabella, the blind date, "
                   "the video game alien, Theodore's goddaughter, the neighbour, the OS")
CREW = words("Spike Jonze, Hoyte van Hoytema, Arcade Fire, Owen Pallett, K.K. Barrett, Casey Storm, "
             "Eric Zumbrunnen, Jeff Buchanan, Karen O")
ADJECTIVES = words("tender, melancholy, luminous, clumsy, overlong, witty, haunting, sentimental, restrained, "
                   "bold, muted, brittle, warm, chilly, playful, meandering, gorgeous, stilted, precise, "
                   "ambitious, intimate, slick, earnest, uneven, hypnotic, bleak, whimsical, heartfelt, cerebral, "
                   "lyrical, awkward, dreamy, sincere, hollow, breezy, sombre, delicate, smug, fragile, wistful, "
                   "tedious, radiant, hushed, glib, generous, aching, cool, mannered, surprising, predictable")
ADVERBS = words("quietly, strangely, genuinely, almost, never quite, rarely, always, oddly, deeply, a little too, "
                "surprisingly, beautifully, painfully, unexpectedly, consistently")
FEELINGS = words("lonely, hopeful, uneasy, moved, bored, delighted, restless, heartbroken, puzzled, comforted, "
                 "unsettled, wistful, impatient, grateful, cold")
CITIES = words("Los Angeles, Shanghai, a near-future Los Angeles, the city, downtown, the subway, the beach, "
               "the apartment, the office, the rooftop, the mountains, the cabin")
THINGS = words("operating system, earpiece, video game, handwritten letter, smartphone, voice assistant, "
               "artificial intelligence, safety pin, pocket camera, laptop, piano piece, photograph")
THEMES = words("loneliness, divorce, intimacy, memory, technology, growing up, letting go, modern love, "
               "communication, grief, connection, jealousy, the body, time")
FILMS = words("Lost in Translation, Eternal Sunshine of the Spotless Mind, Blade Runner, Ex Machina, "
              "2001: A Space Odyssey, Being John Malkovich, Adaptation, Where the Wild Things Are, Annie Hall, "
              "Punch-Drunk Love")
SUBJECTS = (
    "{actor}'s performance as {character}", "the way {actor} plays {character}", "{actor} as {character}",
    "{actor}'s voice work", "the score by {crew}", "the soundtrack", "{crew}'s cinematography",
    "the production design", "the {adj} colour palette", "the costumes", "the high-waisted trousers",
    "the vision of {city}", "the near future the film imagines", "the premise of falling for an {thing}",
    "the {thing} at the heart of the story", "the ending", "the final scene on {city}", "the third act",
    "the first half", "the pacing", "the screenplay", "the dialogue", "the humour", "the love story",
    "the relationship between {character} and {character2}", "the film's take on {theme}",
    "what the film says about {theme}", "the direction", "{crew}'s direction", "the editing",
    "the supporting cast", "the running time", "the sex scene", "the letter-writing job",
    "the quiet moments in {city}", "the comparison with {film}", "the opening shot", "the video game scenes",
)
JUDGEMENTS = (
    "is {adverb} {adj}", "feels {adj} and {adj2}", "never quite works", "lingers long after the credits",
    "left me {feeling}", "owes a debt to {film}", "carries the whole film", "drags in the middle",
    "is worth the ticket alone", "is the best thing here", "is {adj} but {adj2}", "could have been more {adj}",
    "makes {character} seem {adj}", "turns {theme} into something {adj}", "says more about {theme} than most dramas",
    "kept reminding me of {film}", "is where the film loses me", "is {adverb} moving",
    "shows {crew} at the top of their game", "tries too hard to be {adj}", "earns every minute",
    "is more {adj} than I expected", "works because it is so {adj}", "is handled with {adj} care",
    "gives {actor} room to be {adj}", "leaves {character} {feeling} and alone",
    "is oddly {adj} for a film about {theme}",
)
OPENINGS = tuple(f"{opening}," for opening in words(
    "Frankly; To my surprise; In the end; For me; Oddly enough; Above all; At times; On a second viewing; Honestly; "
    "As a whole; Even so; Without a doubt; By contrast; If anything; For better or worse".replace(";", ",")))
CLOSINGS = (
    "", "", "", ", especially in the scenes in {city}", " even on a second viewing", ", which {crew} handles with care",
    ", a rare thing in a film about {theme}", " in a way that {film} never managed", ", at least for me",
    " whenever {character} is on screen", ", and the audience around me felt it too", " despite the {adj} script",
)
TITLES = ("{adj} in {city}", "Love and the {thing}", "A {adj} Voice", "Her, and {theme}", "The {adj} Machine",
          "{character} in Love", "Notes on {theme}", "Her: a {adj} romance", "Falling for an {thing}")
FIRST_NAMES = words("Ada, Ben, Chloe, Dev, Esme, Farid, Greta, Hugo, Ines, Jonah, Kemi, Lars, Mira, Nico, Oona, "
                    "Priya, Quinn, Rosa, Sami, Tess, Umar, Vera, Wes, Xia, Yusuf, Zoe")
LAST_NAMES = words("Alvarez, Brooks, Chen, Dube, Eriksen, Fontaine, Gallo, Haddad, Ivanova, Jensen, Kowalski, "
                   "Laine, Moreau, Nakamura, Okafor, Park, Quint, Rossi, Sato, Tanaka, Ueda, Varga, Weiss, Yilmaz")
OUTLETS = words("The Example Weekly, a film blog, a student paper, Screen Notes, The Daily Reel, Cinema Review, "
                "a podcast, The Evening Post, Frame Magazine, a newsletter")


class SentenceMaker:
    """Distinct review sentences, one after another (seeded)."""

    def __init__(self, seed: int = 13):
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def _fill(self, template: str) -> str:
        rng = self.rng
        actor, actor2 = rng.sample(ACTORS, 2)
        character, character2 = rng.sample(CHARACTERS, 2)
        adj, adj2 = rng.sample(ADJECTIVES, 2)
        return template.format(actor=actor, actor2=actor2, character=character, character2=character2, adj=adj,
                               adj2=adj2, adverb=rng.choice(ADVERBS), feeling=rng.choice(FEELINGS),
                               city=rng.choice(CITIES), thing=rng.choice(THINGS), theme=rng.choice(THEMES),
                               film=rng.choice(FILMS), crew=rng.choice(CREW))

    def sentence(self) -> str:
        while True:
            rng = self.rng
            text = (rng.choice(OPENINGS) + " " if rng.random() < 0.35 else "") + self._fill(
                f"{rng.choice(SUBJECTS)} {rng.choice(JUDGEMENTS)}{rng.choice(CLOSINGS)}.")
            text = re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", text.strip())
            text = text[0].upper() + text[1:]
            if text not in self.seen:
                self.seen.add(text)
                return text


def review_text(maker: SentenceMaker, number: int) -> str:
    """One review file's text: title, By-line, paragraphs and sometimes reader comments."""
    rng = maker.rng
    title = maker._fill(rng.choice(TITLES)).title()
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    lines = [f"{title} ({number})", "", f"By {author}, {rng.choice(OUTLETS)}", ""]
    for _ in range(rng.randint(6, 13)):
        lines += [" ".join(maker.sentence() for _ in range(rng.randint(2, 6))), ""]
    if rng.random() < 0.25:
        count = rng.randint(1, 3)
        lines += [f"{count} thoughts on “{title}”", ""]
        for n in range(1, count + 1):
            lines += [f"{n}. {rng.choice(FIRST_NAMES)} says: {maker.sentence()}", ""]
    return "\n".join(lines)


def write_reviews(folder: Path, count: int, *, seed: int = 13, start: int = 0) -> list[Path]:
    """Write ``count`` review files into ``folder`` (names ``synthetic-NNNNNN.txt``, numbered from ``start``)."""
    folder.mkdir(parents=True, exist_ok=True)
    maker = SentenceMaker(seed + start)
    paths = []
    for number in range(start, start + count):
        path = folder / f"synthetic-{number:06d}.txt"
        path.write_text(review_text(maker, number), encoding="utf-8")
        paths.append(path)
    return paths


ONSETS = words("b, br, c, ch, d, dr, f, g, gr, h, k, kr, l, m, n, p, pr, r, s, sh, st, t, tr, v, w, z")
VOWELS = words("a, e, i, o, u, a, e, i, o, u, ai, ea, ie, ou")
CODAS = ("", "", "", "", "", "", "n", "r", "l", "s", "k", "nd", "rt", "ll")


def made_up_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))


def review_names(count: int, *, seed: int = 13) -> list[dict]:
    """Metadata of ``count`` reviews as ``reviews.json`` keeps it, each critic with a surname of their own and one
    outlet in three a one-word name: a site's thousands of real reviews have thousands of one-word names (the
    reviews of :func:`review_text` share two dozen surnames, which then name no review)."""
    rng = random.Random(seed)
    maker = SentenceMaker(seed)
    taken: set[str] = set()

    def new_word(syllables: tuple[int, int]) -> str:
        while (word := made_up_word(rng, rng.randint(*syllables)).title()) in taken:
            pass
        taken.add(word)
        return word

    rows = []
    for number in range(count):
        outlet = new_word((2, 3)) if rng.random() < 1 / 3 else rng.choice(OUTLETS)
        rows.append({"id": f"synthetic-{number:06d}", "title": f"{maker._fill(rng.choice(TITLES)).title()} ({number})",
                     "author": f"{rng.choice(FIRST_NAMES)} {new_word((2, 3))}", "outlet": outlet, "url": None,
                     "date": None, "rating": None, "names": []})
    return rows
