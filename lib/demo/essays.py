"""Evidence-like texts on one topic, for the demo's evidence and for the copied-work tests and benchmark:
originals written separately (they share the unit's vocabulary, never its sentences), and copies edited as
learners edit them."""

from __future__ import annotations

import random

LINKS = ["First", "Then", "Afterwards", "However", "Later", "Meanwhile", "Initially", "Eventually", "Similarly",
         "Consequently", "Occasionally", "Finally", "Still", "Next"]
SUBJECTS = ["I", "we", "Sam", "Priya", "management", "everyone", "Jordan", "colleagues", "leadership", "Alex",
            "supervisors", "staff", "Morgan", "volunteers", "Chris"]
VERBS = ["agreed", "reviewed", "planned", "discussed", "improved", "changed", "measured", "explained", "supported",
         "challenged", "delegated", "introduced", "recorded", "questioned", "evaluated", "prioritised", "shared",
         "monitored", "adapted", "clarified"]
ADJECTIVES = ["weekly", "shared", "new", "difficult", "formal", "informal", "missed", "agreed", "quarterly", "urgent",
              "regular", "practical", "honest", "detailed", "simple", "early", "final", "first", "main", "local"]
NOUNS = ["objectives", "meetings", "feedback", "tracker", "priorities", "deadlines", "conversations", "rota",
         "checks", "plan", "induction", "roles", "coaching", "stakeholders", "risks", "budget", "targets",
         "complaints", "handovers", "reviews", "standards", "training", "workload", "values", "rules"]
PREPOSITIONS = ["with", "for", "across", "within", "around", "after", "before", "during", "beyond", "despite"]
DETERMINERS = ["our", "the", "every", "each", "their", "some"]
ADVERBS = ["carefully", "quickly", "openly", "together", "again", "gradually", "fairly", "calmly", "properly",
           "successfully", "regularly", "thoroughly"]


def sentence(chance: random.Random) -> str:
    return (f"{chance.choice(LINKS)} {chance.choice(SUBJECTS)} {chance.choice(VERBS)} the {chance.choice(ADJECTIVES)} "
            f"{chance.choice(NOUNS)} {chance.choice(PREPOSITIONS)} {chance.choice(DETERMINERS)} "
            f"{chance.choice(NOUNS)} {chance.choice(ADVERBS)}.")


def original(seed: int, paragraphs: int = 8, sentences: int = 6) -> list[str]:
    chance = random.Random(seed)
    return [" ".join(sentence(chance) for _ in range(sentences)) for _ in range(paragraphs)]


FILLERS = ["really", "clearly", "also", "then", "quite", "very", "still", "often", "now", "just"]


def edited(paragraphs: list[str], seed: int, changed: float = 0.15, reorder: bool = True,
           heading: str | None = "My reflective account") -> list[str]:
    """A learner's edit of someone else's text: paragraphs reordered, about `changed` of the words replaced,
    added or removed, a heading of its own."""
    chance = random.Random(seed)
    copied = list(paragraphs)
    if reorder:
        chance.shuffle(copied)
    result = [heading] if heading else []
    for paragraph in copied:
        words = []
        for word in paragraph.split():
            roll = chance.random()
            if roll < changed / 3:
                continue  # removed
            if roll < 2 * changed / 3:
                words.append(chance.choice(FILLERS))  # replaced
            elif roll < changed:
                words.extend([word, chance.choice(FILLERS)])  # one added
            else:
                words.append(word)
        result.append(" ".join(words))
    return result


def copied_paragraphs(work: list[tuple[int, str, int, int | None, int, int | None]]) -> dict[int, list[str]]:
    """The body of each work item's evidence, (id, stage, learner, batch, centre, earlier attempt) in id order:
    each written apart, but for the copying a demo shows: learners in one batch (two or three) sharing paragraphs
    with small edits, one passage shared across two centres (an item in quality check and one in the demo assessor's queue),
    and a re-submission keeping much of its own earlier attempt."""
    texts = {item: original(item * 7 + 1, paragraphs=6, sentences=5) for item, *_ in work}
    by_batch: dict[int, list[int]] = {}
    for item, stage, _learner, batch, _centre, _earlier in work:
        if batch is not None and stage in ("submitted", "sampling", "allocated"):
            by_batch.setdefault(batch, []).append(item)
    for first, *copies in [items[:3] for items in by_batch.values() if len(items) >= 2][:2]:
        for copy in copies:  # a batch of three or more gives three learners sharing one text
            texts[copy] = edited(texts[first], copy, changed=0.12, heading=None)
    centres = {item: centre for item, _stage, _learner, _batch, centre, _earlier in work}
    in_check = [item for item, stage, *_ in work if stage == "submitted"]
    being_marked = [item for item, stage, *_ in work if stage == "allocated"]
    across = next(((source, target) for source in in_check for target in being_marked
                   if centres[source] != centres[target]), None)
    if across:
        source, target = across
        texts[target] = texts[target][:2] + edited(texts[source][:2], target, changed=0.05, reorder=False,
                                                   heading=None) + texts[target][4:]
    for item, *_, earlier in work:
        if earlier is not None and earlier in texts:
            texts[item] = texts[earlier][:4] + original(item * 7 + 2, paragraphs=2, sentences=5)
            break
    return texts
